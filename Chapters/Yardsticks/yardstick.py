"""What the PyTorch yardsticks share: the flags, PyTorch's set-up, and Fashion-MNIST from IDX files.

Each yardstick script runs one chapter's default model in PyTorch on the CPU, the same way the
Swift chapter trains it, so that seconds per epoch (and losses) can be compared on one machine.
"""

import argparse
import gzip
import os
import struct
import sys


def read_idx(path, np):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(folder, prefix):
    names = [n for n in os.listdir(folder) if n.startswith(prefix)]
    if not names:
        sys.exit(f"error: no {prefix}* file in {folder} (pass --data-dir)")
    return os.path.join(folder, sorted(names)[0])


def setup(description):
    """Parses the shared flags and sets PyTorch up: returns (args, numpy, torch, torch.nn)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data-dir", default=os.environ.get(
        "BOTTLENECK_DATA_DIR", "/usr/share/datasets/fashion-mnist"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--flush-denormals", action="store_true")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    try:
        import numpy as np
        import torch
        from torch import nn
    except ImportError as error:
        sys.exit(f"error: {error.name} is not installed: pip install torch numpy")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)  # weight initialisation
    if args.flush_denormals:
        torch.set_flush_denormal(True)
    return args, np, torch, nn


def fashion_mnist(args, np, torch):
    """The training and test images as (n, 784) float tensors with pixels in [0, 1]."""
    def images(prefix):
        pixels = read_idx(find(args.data_dir, prefix), np).reshape(-1, 784)
        return torch.from_numpy(pixels.astype(np.float32) / 255)
    return images("train-images"), images("t10k-images")
