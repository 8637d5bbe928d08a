"""The datasets Backprop Lab can download: where from, their published MD5s, their classes.

All three are drop-in replacements for MNIST: four gzipped IDX files of 28x28 images with labels
0 to 9, 60,000 for training and 10,000 for testing. The checksums are the ones the datasets'
authors publish (and torchvision's ``datasets/mnist.py`` lists); a file that does not match is
never kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Downloadable:
    """One downloadable MNIST-format dataset: its files, mirrors and the names of its classes."""

    key: str  # the data spec that names it: "full", "fashion", "kmnist"
    title: str  # for messages: "MNIST", "Fashion-MNIST"
    folder: str  # its sub-folder of the per-user cache
    files: Mapping[str, str]  # file name -> published MD5
    mirrors: tuple[str, ...]  # tried in order for each file
    megabytes: int  # roughly, the four files together
    class_names: tuple[str, ...] = tuple(str(digit) for digit in range(10))
    sizes: Mapping[str, int] = field(default_factory=dict)  # published bytes, when known


MNIST = Downloadable(
    key="full",
    title="MNIST",
    folder="mnist",
    files={
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    megabytes=12,
    sizes={
        "train-images-idx3-ubyte.gz": 9_912_422,
        "train-labels-idx1-ubyte.gz": 28_881,
        "t10k-images-idx3-ubyte.gz": 1_648_877,
        "t10k-labels-idx1-ubyte.gz": 4_542,
    },
)

FASHION = Downloadable(  # Xiao, Rasul and Vollgraf 2017, Zalando Research; MIT licence
    key="fashion",
    title="Fashion-MNIST",
    folder="fashion-mnist",
    files={
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
    # plain HTTP is safe here: a file is kept only if its MD5 matches the published one
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
    megabytes=31,
    class_names=(
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
)

KMNIST = Downloadable(  # Clanuwat et al. 2018, ROIS-DS CODH / NIJL; CC BY-SA 4.0
    key="kmnist",
    title="Kuzushiji-MNIST",
    folder="kmnist",
    files={
        "train-images-idx3-ubyte.gz": "bdb82020997e1d708af4cf47b453dcf7",
        "train-labels-idx1-ubyte.gz": "e144d726b3acfaa3e44228e80efcd344",
        "t10k-images-idx3-ubyte.gz": "5c965bf0a639b31b8f53240b1b52f4d7",
        "t10k-labels-idx1-ubyte.gz": "7320c461ea6c1c855c0b718fb2a4b134",
    },
    mirrors=("http://codh.rois.ac.jp/kmnist/dataset/kmnist/",),
    megabytes=21,
    # the romanised reading first: a font without kana still shows which class it is
    class_names=(
        "o (お)",
        "ki (き)",
        "su (す)",
        "tsu (つ)",
        "na (な)",
        "ha (は)",
        "ma (ま)",
        "ya (や)",
        "re (れ)",
        "wo (を)",
    ),
)

DOWNLOADABLE: dict[str, Downloadable] = {d.key: d for d in (MNIST, FASHION, KMNIST)}
