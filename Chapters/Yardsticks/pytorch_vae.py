"""Chapter 5's variational autoencoder in PyTorch: the yardstick for its seconds per epoch and nats.

The model of PyTorch's examples/vae: 784-400 (ReLU) then one Linear(400, 40) split into the
mean and log-variance of a 20-dimensional Gaussian, z = mean + exp(logvar / 2) * eps, and a
20-400 (ReLU) -400-784 decoder giving Bernoulli logits. The loss is the negative ELBO per
image: the cross-entropy summed over the 784 pixels (targets pixel / 255, not binarised) plus
KL(q(z|x) || N(0, I)), averaged over the batch. Adam, learning rate 1e-3, batch size 128, the
60,000 Fashion-MNIST training images reshuffled every epoch. An epoch is timed as the training
pass plus the loss on the 10,000 test images (one z sample each); img/s counts training images.

    pip install torch numpy          # about 5 GB with its CUDA libraries; the CPU is all it uses
    python3 Chapters/Yardsticks/pytorch_vae.py
    python3 Chapters/Yardsticks/pytorch_vae.py --flush-denormals --threads 2 --epochs 1

See pytorch_epoch.py for why --flush-denormals is the like-for-like comparison with Swift.
"""

import statistics
import time

from yardstick import fashion_mnist, setup

args, np, torch, nn = setup(__doc__.splitlines()[0])
generator = torch.Generator().manual_seed(args.seed)  # shuffles and eps
train, test = fashion_mnist(args, np, torch)
encoder = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 40))
decoder = nn.Sequential(nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784))
parameters = list(encoder.parameters()) + list(decoder.parameters())
adam = torch.optim.Adam(parameters, lr=1e-3)
print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, flush denormals "
      f"{'on' if args.flush_denormals else 'off'}, "
      f"{sum(p.numel() for p in parameters):,} parameters", flush=True)

def losses(x):
    """Summed over the batch: (reconstruction nats, KL nats)."""
    mu, logvar = encoder(x).chunk(2, dim=1)
    eps = torch.randn(mu.shape, generator=generator)
    logits = decoder(mu + torch.exp(0.5 * logvar) * eps)
    recon = nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return recon, kl

seconds, test_nats = [], float("nan")
for epoch in range(1, args.epochs + 1):
    start = time.perf_counter()
    order = torch.randperm(len(train), generator=generator)
    train_recon = train_kl = 0.0
    for i in range(0, len(train), 128):
        x = train[order[i : i + 128]]
        recon, kl = losses(x)
        adam.zero_grad()
        ((recon + kl) / len(x)).backward()
        adam.step()
        train_recon += recon.item()
        train_kl += kl.item()
    with torch.no_grad():
        parts = [losses(x) for x in test.split(1000)]
        test_recon = sum(r.item() for r, _ in parts) / len(test)
        test_kl = sum(k.item() for _, k in parts) / len(test)
    seconds.append(time.perf_counter() - start)
    train_recon, train_kl = train_recon / len(train), train_kl / len(train)
    test_nats = test_recon + test_kl
    print(f"epoch {epoch}/{args.epochs}  train_nats {train_recon + train_kl:.2f} "
          f"(recon {train_recon:.2f} + kl {train_kl:.2f})  test_nats {test_nats:.2f} "
          f"(recon {test_recon:.2f} + kl {test_kl:.2f})  {seconds[-1]:.2f} s  "
          f"{len(train) / seconds[-1]:,.0f} img/s", flush=True)

print(f"median seconds per epoch: {statistics.median(seconds):.2f}")
print(f"final test nats per image: {test_nats:.2f}")
