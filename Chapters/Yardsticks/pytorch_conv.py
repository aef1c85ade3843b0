"""The convolutional models in PyTorch: the yardstick for their seconds per epoch and losses.

Three models, images as (batch, 1, 28, 28), picked with --model (default all, run in order):

  seed     the seed texts' conv autoencoder: Conv(1-32, 3, stride 2) ReLU Conv(32-64, 3, s2)
           ReLU ConvTranspose(64-32, 3, s2) ReLU ConvTranspose(32-1, 3, s2) Sigmoid; no
           bottleneck narrower than the 64x7x7 feature map. Mean squared error per pixel.
  conv32   the same convolutions around a 32-number bottleneck: Flatten Linear(3136, 32),
           then Linear(32, 3136) ReLU Unflatten(64, 7, 7). Mean squared error per pixel.
  convvae  a conv VAE with a 20-dimensional latent: Conv(1-32, 4, s2) Conv(32-64, 4, s2)
           Conv(64-128, 7) Linear(128, 40) split into mean and log-variance; z = mean +
           exp(logvar / 2) * eps; Linear(20, 128) ConvTranspose(128-64, 7) (64-32, 4, s2)
           (32-1, 4, s2) giving Bernoulli logits. Loss: the negative ELBO per image, the
           cross-entropy summed over the 784 pixels (targets pixel / 255, not binarised) plus
           KL(q(z|x) || N(0, I)), averaged over the batch.

Adam, learning rate 1e-3, batch size 128, the 60,000 Fashion-MNIST training images reshuffled
every epoch. An epoch is timed as the training pass plus the metric on the 10,000 test images
(one z sample each for the VAE); img/s counts training images. Each model starts from --seed,
so a model gives the same numbers alone as within --model all.

    pip install torch numpy          # about 5 GB with its CUDA libraries; the CPU is all it uses
    python3 Chapters/Yardsticks/pytorch_conv.py
    python3 Chapters/Yardsticks/pytorch_conv.py --model conv32 --flush-denormals --threads 2

See pytorch_epoch.py for why --flush-denormals is the like-for-like comparison with Swift.
"""

import argparse
import statistics
import sys
import time

from yardstick import fashion_mnist, setup

MODELS = ["seed", "conv32", "convvae"]
picker = argparse.ArgumentParser(add_help=False)
picker.add_argument("--model", choices=MODELS + ["all"], default="all")
picked, sys.argv[1:] = picker.parse_known_args()  # the rest goes to yardstick.setup
args, np, torch, nn = setup(__doc__.splitlines()[0] + " Also --model seed|conv32|convvae|all.")
F = nn.functional
train, test = (images.view(-1, 1, 28, 28) for images in fashion_mnist(args, np, torch))
print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, flush denormals "
      f"{'on' if args.flush_denormals else 'off'}", flush=True)


def encoder_convs():
    return [nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU()]


def decoder_convs():
    return [nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid()]


def build(name, generator):
    """The model's modules, its losses(x) summed over the batch, and the numbers per image."""
    if name == "convvae":
        encoder = nn.Sequential(
            nn.Conv2d(1, 32, 4, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 4, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(64, 128, 7), nn.ReLU(), nn.Flatten(), nn.Linear(128, 40))
        decoder = nn.Sequential(
            nn.Linear(20, 128), nn.ReLU(), nn.Unflatten(1, (128, 1, 1)),
            nn.ConvTranspose2d(128, 64, 7), nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1))

        def losses(x):  # (reconstruction nats, KL nats)
            mu, logvar = encoder(x).chunk(2, dim=1)
            eps = torch.randn(mu.shape, generator=generator)
            logits = decoder(mu + torch.exp(0.5 * logvar) * eps)
            recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
            return recon, -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return nn.ModuleList([encoder, decoder]), losses, 1
    if name == "seed":
        model = nn.Sequential(*encoder_convs(), *decoder_convs())
    else:
        model = nn.Sequential(*encoder_convs(), nn.Flatten(), nn.Linear(3136, 32),
                              nn.Linear(32, 3136), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
                              *decoder_convs())
    return model, lambda x: (F.mse_loss(model(x), x, reduction="sum"),), 784


def describe(split, means):
    if len(means) == 1:
        return f"{split}_mse {means[0]:.5f}"
    recon, kl = means
    return f"{split}_nats {recon + kl:.2f} (recon {recon:.2f} + kl {kl:.2f})"


def run(name):
    torch.manual_seed(args.seed)  # weight initialisation
    generator = torch.Generator().manual_seed(args.seed)  # shuffles and eps
    model, losses, per_image = build(name, generator)
    adam = torch.optim.Adam(model.parameters(), lr=1e-3)
    print(f"{name}: {sum(p.numel() for p in model.parameters()):,} parameters", flush=True)
    seconds = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(len(train), generator=generator)
        sums = None
        for i in range(0, len(train), 128):
            x = train[order[i : i + 128]]
            parts = losses(x)
            adam.zero_grad()
            (sum(parts) / (len(x) * per_image)).backward()
            adam.step()
            values = [p.item() for p in parts]
            sums = values if sums is None else [s + v for s, v in zip(sums, values)]
        with torch.no_grad():
            tested = [[p.item() for p in losses(x)] for x in test.split(1000)]
            test_means = [sum(column) / (len(test) * per_image) for column in zip(*tested)]
        seconds.append(time.perf_counter() - start)
        train_means = [s / (len(train) * per_image) for s in sums]
        print(f"epoch {epoch}/{args.epochs}  {describe('train', train_means)}  "
              f"{describe('test', test_means)}  {seconds[-1]:.2f} s  "
              f"{len(train) / seconds[-1]:,.0f} img/s", flush=True)
    print(f"median seconds per epoch ({name}): {statistics.median(seconds):.2f}", flush=True)


for name in MODELS if picked.model == "all" else [picked.model]:
    run(name)
