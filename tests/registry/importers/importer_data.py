"""Where the import tests find the real export files (``../shared/data``, never copied into
the repository) and small helpers to read them independently of the code under test."""

from __future__ import annotations

import datetime as dt
import gzip
import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get("IPCITY_SHARED_DATA", Path(__file__).resolve().parents[4] / "shared" / "data")
)
PATENTS_CN = SHARED_DATA / "patents_cn"
LENS_FILE = SHARED_DATA / "patents_intl" / "lens_coronavirus_patents_sars_mers_1588.jsonl.gz"
OBSERVED_ON = dt.date(2024, 6, 30)

# Every real file, with the layout it must be recognised as.
REAL_FILES = {
    "henan_sample_10_62cols.csv": "cn-db-62",
    "incopat_autonomous_driving_10000.csv.gz": "incopat-17",
    "incopat_iflytek_cn_3816.csv.gz": "incopat-24",
    "incopat_toyota_cn_5048.csv.gz": "incopat-21",
    "patentics_cn_augmented_reality_4483.csv.gz": "patentics-24",
    "patentics_cn_virtual_reality_7805.csv.gz": "patentics-24",
}


def real_file(name: str) -> Path:
    """Path of a staged real file; the test is skipped where the data is not present."""
    path = LENS_FILE if name == LENS_FILE.name else PATENTS_CN / name
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


def raw_text(path: Path) -> str:
    """The file's text, decompressed, as an independent reader sees it."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8-sig")
