import Bottleneck
print("kernels: coming soon")
