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

import time

from yardstick import fashion_mnist, setup

args, np, torch, nn = setup(__doc__.splitlines()[0])
train, test = fashion_mnist(args, np, torch)
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
