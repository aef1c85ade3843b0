import Bottleneck
print("vanilla: coming soon")
