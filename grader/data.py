"""FashionMNIST for the provided data-loader cell, without ever touching the network.

The template's data-loader cell reads ``./data/FashionMNIST/raw``. If the data home already
holds the real files they are used; otherwise a small deterministic stand-in is written in
FashionMNIST's own idx format, which torchvision reads unchanged (``download=True`` finds the
files present and downloads nothing).
"""
from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

FILES = {
    "train-images-idx3-ubyte": ("images", True),
    "train-labels-idx1-ubyte": ("labels", True),
    "t10k-images-idx3-ubyte": ("images", False),
    "t10k-labels-idx1-ubyte": ("labels", False),
}
STANDIN_SIZES = {True: 1200, False: 1000}   # train / test images in the stand-in
MARKER = ".grader-standin"


def default_home() -> Path:
    """Where the data home lives unless --data or GRADER_DATA says otherwise."""
    env = os.environ.get("GRADER_DATA")
    if env:
        return Path(env).expanduser().resolve()
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "grader"


def raw_dir(home: Path) -> Path:
    return home / "data" / "FashionMNIST" / "raw"


def has_dataset(home: Path) -> bool:
    raw = raw_dir(home)
    return all((raw / name).exists() for name in FILES)


def is_standin(home: Path) -> bool:
    return (raw_dir(home) / MARKER).exists()


def _images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Blurry class-shaped blobs: plausible pixel statistics, deterministic, tiny to make. numpy is
    imported only here: `grader check` reads the data home before it starts its worker, and
    numpy's import would delay that start."""
    import numpy as np
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) * 7 + seed) % 10
    yy, xx = np.mgrid[0:28, 0:28]
    images = np.empty((n, 28, 28), dtype=np.uint8)
    for i, label in enumerate(labels):
        cy, cx = 14 + (label % 3 - 1) * 4, 14 + (label // 3 - 1) * 3
        ry, rx = 6 + label % 4, 5 + label % 5
        blob = np.exp(-(((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2))
        noise = rng.normal(0, 0.15, (28, 28))
        images[i] = np.clip((blob + noise) * 220, 0, 255).astype(np.uint8)
    return images, labels.astype(np.uint8)


def _write_idx(path: Path, array: np.ndarray) -> None:
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + b"".join(struct.pack(">I", d) for d in array.shape)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(header + array.tobytes())
    tmp.replace(path)


def write_standin(home: Path) -> Path:
    raw = raw_dir(home)
    raw.mkdir(parents=True, exist_ok=True)
    for train, seed in ((True, 11), (False, 12)):
        images, labels = _images(STANDIN_SIZES[train], seed)
        prefix = "train" if train else "t10k"
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", images)
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", labels)
    (raw / MARKER).write_text("Deterministic stand-in written by grader; replace with the real "
                              "FashionMNIST files to grade on real data.\n")
    return home


def ensure_dataset(home: Path | None = None) -> tuple[Path, bool]:
    """Return (data home, True if it is the stand-in); write the stand-in when nothing is there.

    Real gzip files (as downloaded from the FashionMNIST site) are unpacked in place.
    """
    home = Path(home) if home else default_home()
    raw = raw_dir(home)
    for name in FILES:
        gz = raw / f"{name}.gz"
        if not (raw / name).exists() and gz.exists():
            (raw / name).write_bytes(gzip.decompress(gz.read_bytes()))
    if not has_dataset(home):
        write_standin(home)
    return home, is_standin(home)
