"""The commands that talk to the Hub: fetch (and download) the raw release, push a built folder, package the Space."""
