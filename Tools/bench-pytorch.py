#!/usr/bin/env python3
"""Times the tutorial's networks in PyTorch for comparison with `recognize-digits train`.

Same layers, batch 64, Adam 1e-3, 938 steps (one MNIST epoch) on random data of MNIST's shapes;
prints seconds per epoch. Usage: python3 Tools/bench-pytorch.py [softmax|mlp|cnn] [STEPS]
Needs torch (a CPU wheel is enough); SwiftFluid itself never uses it.
"""
import sys
import time

import torch
from torch import nn


def network(model):
    if model == "softmax":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Softmax(dim=1))
    if model == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 200), nn.ReLU(), nn.Linear(200, 200), nn.ReLU(),
                             nn.Linear(200, 10), nn.Softmax(dim=1))
    return nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.BatchNorm2d(20, momentum=0.1, eps=1e-5),
        nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(800, 10), nn.Softmax(dim=1))


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else "cnn"
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 938
    torch.manual_seed(90)
    net = network(model)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    images = torch.rand(steps, 64, 1, 28, 28) * 2 - 1
    labels = torch.randint(0, 10, (steps, 64))
    start = time.perf_counter()
    for step in range(steps):
        probabilities = net(images[step])
        loss = nn.functional.nll_loss(torch.log(probabilities), labels[step])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    seconds = time.perf_counter() - start
    print(f"pytorch {torch.__version__} {model}: {seconds:.2f} s for {steps} steps of batch 64 "
          f"({torch.get_num_threads()} threads)")


if __name__ == "__main__":
    main()
