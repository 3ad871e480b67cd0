"""Reference solution for Assignment 7, Code 3.2.

The grader runs this file the way it runs a student's cell: in a namespace built from the
template's imports and provided cells (``torch``, ``nn``, ``F``, ``optim``, ``plt``, ``train``,
``test``, ``train_loader``, ``test_loader``). It runs in the grader's own process only; it never
enters a student's kernel. The imports below make the file importable on its own too.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
import matplotlib.pyplot as plt


class ANN_sigmoid(nn.Module):
    """784 -> 512 -> 1024 -> 512 -> d_out, sigmoid between layers, raw scores out."""

    def __init__(self, d_in, d_out):
        super().__init__()
        self.linear1 = nn.Linear(d_in, 512)
        self.linear2 = nn.Linear(512, 1024)
        self.linear3 = nn.Linear(1024, 512)
        self.linear4 = nn.Linear(512, d_out)

    def forward(self, x):
        x = x.view(x.shape[0], -1)
        x = torch.sigmoid(self.linear1(x))
        x = torch.sigmoid(self.linear2(x))
        x = torch.sigmoid(self.linear3(x))
        return self.linear4(x)


class ANN_relu(nn.Module):
    """Same layers as ANN_sigmoid with ReLU between them."""

    def __init__(self, d_in, d_out):
        super().__init__()
        self.linear1 = nn.Linear(d_in, 512)
        self.linear2 = nn.Linear(512, 1024)
        self.linear3 = nn.Linear(1024, 512)
        self.linear4 = nn.Linear(512, d_out)

    def forward(self, x):
        x = x.view(x.shape[0], -1)
        x = F.relu(self.linear1(x))
        x = F.relu(self.linear2(x))
        x = F.relu(self.linear3(x))
        return self.linear4(x)


def train_and_test(model: nn.Module, hyperparameters: dict):
    """SGD with the given lr and momentum, one `train` call per epoch, `test` after each epoch,
    then one figure with the three gradient curves."""
    optimizer = optim.SGD(model.parameters(), lr=hyperparameters["lr"],
                          momentum=hyperparameters["momentum"])
    grads1, grads2, grads3 = [], [], []
    for epoch in range(1, hyperparameters["epochs"] + 1):
        g1, g2, g3 = train(model, train_loader, optimizer, epoch)  # noqa: F821 (provided)
        grads1 += g1
        grads2 += g2
        grads3 += g3
        test(model, test_loader)  # noqa: F821 (provided)
    plt.figure(figsize=(10, 4))
    plt.plot(grads1, label="layer 1")
    plt.plot(grads2, label="layer 2")
    plt.plot(grads3, label="layer 3")
    plt.xlabel("mini-batch")
    plt.ylabel("mean |gradient|")
    plt.legend()
    plt.show()
