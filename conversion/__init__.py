"""Conversion tools: the synthetic release generator and (later) the Parquet converter.

Run ``python -m conversion --help`` for the commands.
"""
