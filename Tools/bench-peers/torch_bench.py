#!/usr/bin/env python3
"""The tutorial's networks in PyTorch (eager, CPU, 2 threads), for Tools/bench.

Usage: torch_bench.py train softmax|mlp|cnn [--steps N] [--data-dir DIR]
       torch_bench.py infer [cnn] --batch N [--calls K] [--warmup W]

train: Adam 1e-3, batch 64, mean cross entropy of the softmax output, on the real MNIST training
images preloaded as tensors; times N steps (default 938, one epoch) after the warm-up steps.
infer: the CNN (freshly initialised: only the time matters) in eval mode under
torch.inference_mode() on seeded random input. Prints one JSON line.
"""
import time

import torch
from torch import nn

import peer_common as common


def network(model):
    if model == "softmax":
        layers = [nn.Flatten(), nn.Linear(784, 10)]
    elif model == "mlp":
        layers = [nn.Flatten(), nn.Linear(784, 200), nn.ReLU(), nn.Linear(200, 200), nn.ReLU(), nn.Linear(200, 10)]
    else:
        # Paddle's batch_norm momentum 0.9 keeps 0.9 of the running statistics: PyTorch's momentum 0.1.
        layers = [nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.BatchNorm2d(20, eps=1e-5, momentum=0.1),
                  nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(800, 10)]
    return nn.Sequential(*layers, nn.Softmax(dim=1))


def train(arguments):
    torch.manual_seed(common.SEED)
    net = network(arguments.model)
    optimizer = torch.optim.Adam(net.parameters(), lr=common.LEARNING_RATE)
    loaded = common.training_batches(arguments.data_dir)
    warmup = common.warmup_batches(arguments.steps, loaded)
    batches = [(torch.from_numpy(images), torch.from_numpy(labels).reshape(-1))
               for images, labels in loaded]

    def step(index):
        images, labels = batches[index % len(batches)]
        # The tutorial's loss: cross entropy of the probabilities the softmax layer outputs.
        loss = nn.functional.nll_loss(torch.log(net(images)), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss

    for index in warmup:
        step(index)
    start = time.perf_counter()
    for index in range(arguments.steps):
        loss = step(index)
    seconds = time.perf_counter() - start
    common.train_report("pytorch", torch.__version__, arguments.model, arguments.steps, len(warmup), seconds,
                        loss.item())


def infer(arguments):
    torch.manual_seed(common.SEED)
    net = network("cnn").eval()
    images = torch.from_numpy(common.random_images(arguments.batch))

    def call():
        with torch.inference_mode():
            return net(images).numpy()

    times = common.time_calls(call, arguments.calls, arguments.warmup)
    common.infer_report("pytorch", torch.__version__, "cnn", arguments.batch, times, arguments.warmup)


def main():
    arguments = common.parse_arguments(__doc__.splitlines()[0])
    torch.set_num_threads(common.THREADS)
    torch.set_num_interop_threads(1)
    train(arguments) if arguments.mode == "train" else infer(arguments)


if __name__ == "__main__":
    main()
