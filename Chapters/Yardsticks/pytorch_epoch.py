"""Chapter 1's default model in PyTorch: the yardstick for `vanilla`'s seconds per epoch.

Same model (784-256-128-32-128-256-784, ReLU, sigmoid output), same loss (mean squared error),
same optimiser (Adam, learning rate 1e-3), same batch size (128), same data (the 60,000
Fashion-MNIST training images, reshuffled every epoch), and an epoch is timed the same way:
the training pass plus the mean squared error on the 10,000 test images.

    pip install torch numpy          # about 5 GB with its CUDA libraries; the CPU is all it uses
    python3 Chapters/Yardsticks/pytorch_epoch.py
    python3 Chapters/Yardsticks/pytorch_epoch.py --flush-denormals --threads 2

Compare its median with `swift run -c release vanilla`'s seconds_per_epoch_median, on the same
machine, one after the other. The Swift kernels always flush denormal numbers to zero;
PyTorch does not by default, and later epochs slow down as weights and Adam's moments drift
into the denormal range, so --flush-denormals is the like-for-like comparison.
"""

import argparse
import gzip
import os
import struct
import sys
import time


def read_idx(path):
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


parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
torch.manual_seed(args.seed)
if args.flush_denormals:
    torch.set_flush_denormal(True)

def images(prefix):
    pixels = read_idx(find(args.data_dir, prefix)).reshape(-1, 784)
    return torch.from_numpy(pixels.astype(np.float32) / 255)

train, test = images("train-images"), images("t10k-images")
model = nn.Sequential(
    nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 32),
    nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 784),
    nn.Sigmoid())
adam = torch.optim.Adam(model.parameters(), lr=1e-3)

seconds = []
for epoch in range(1, args.epochs + 1):
    start = time.perf_counter()
    order = torch.randperm(len(train))
    total = 0.0
    for i in range(0, len(train), 128):
        x = train[order[i : i + 128]]
        loss = nn.functional.mse_loss(model(x), x)
        adam.zero_grad()
        loss.backward()
        adam.step()
        total += loss.item() * len(x)
    with torch.no_grad():
        test_mse = sum(nn.functional.mse_loss(model(x), x, reduction="sum").item()
                       for x in test.split(1000)) / test.numel()
    seconds.append(time.perf_counter() - start)
    print(f"epoch {epoch}/{args.epochs}  train_mse {total / len(train):.5f}  "
          f"test_mse {test_mse:.5f}  {seconds[-1]:.2f} s", flush=True)

print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, flush denormals "
      f"{'on' if args.flush_denormals else 'off'}: median "
      f"{sorted(seconds)[len(seconds) // 2]:.2f} s per epoch")
