"""The raw release's writers beside their readers: OFF and the annotation .npz write the release's
bytes and read back to what was written."""

import io
import zipfile

import numpy as np

import imagenet3d

VERTICES = np.array([[0.12573, -0.132105, 0.640423], [0.1049, -0.535669, 0.361595], [1.0, 2.0, -3.0]])
FACES = np.array([[0, 1, 2], [2, 1, 0]])


def test_off_bytes_are_the_release_format():
    # The exact bytes the generator wrote before the writer moved here (byte identity of the release).
    assert imagenet3d.off_bytes(VERTICES, FACES) == (
        b"OFF\n3 2 0\n0.125730 -0.132105 0.640423\n0.104900 -0.535669 0.361595\n1.000000 2.000000 -3.000000\n"
        b"3 0 1 2\n3 2 1 0\n")
    assert imagenet3d.off_bytes(np.zeros((0, 3)), np.zeros((0, 3), dtype=int)) == b"OFF\n0 0 0\n"


def test_write_off_round_trips_through_read_off(tmp_path):
    path = tmp_path / "01.off"
    imagenet3d.write_off(path, VERTICES, FACES)
    text, binary = io.StringIO(), io.BytesIO()
    imagenet3d.write_off(text, VERTICES, FACES)
    imagenet3d.write_off(binary, VERTICES, FACES)
    assert path.read_bytes() == binary.getvalue() == text.getvalue().encode("ascii")
    vertices, faces = imagenet3d.read_off(path)
    np.testing.assert_allclose(vertices, VERTICES, atol=5e-7)
    assert faces.tolist() == FACES.tolist()


def test_annotation_bytes_are_reproducible_and_read_back():
    objects = [{"class": "chair", "azimuth": np.float64(0.5), "elevation": 0.1, "theta": 0.0,
                "distance": 5.0, "bbox": np.array([1.0, 2.0, 30.0, 40.0]), "cad_index": np.int64(3),
                "object_status": "status_good"}]
    data = imagenet3d.annotation_bytes(objects)
    assert data == imagenet3d.annotation_bytes(objects)
    (member,) = zipfile.ZipFile(io.BytesIO(data)).infolist()
    # A fixed date and no compression: the same input gives the same bytes on any day.
    assert (member.filename, member.date_time, member.compress_type) == (
        "annotations.npy", (1980, 1, 1, 0, 0, 0), zipfile.ZIP_STORED)
    (read,) = imagenet3d.read_annotations(data)
    assert (read["category"], read["azimuth"], read["bbox"], read["cad_index"]) == (
        "chair", 0.5, [1.0, 2.0, 30.0, 40.0], 3)
