"""Forms of the solution that students arrive at on their own, for `grader similarity` only: code here counts as the
course's material (as the template, the solution and reference.py do), never as two students being alike.

What goes here: what the task and the course's own sources make nearly every student write in one of a few ways, so
that two students writing it alike is no evidence (a fairness review, 407: two students who wrote the table as the
`nn.Sequential` the notebook's linked tutorial teaches, and the least training cell the task asks, were flagged
`similar` at 0.80 to 0.85 in classes of up to 24, where nothing is common enough to be discounted; 0.60 with these
forms, listed, not flagged). The models only: with the least training cell here too, honest pairs of the bench's
cohort that share a training style were flagged more often. Not a reference: nothing grades against it, and it is
kept out of the students' bundle (`bundle.SECRET_KEYS`)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ANN_sigmoid(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(d_in, 512),
            nn.Sigmoid(),
            nn.Linear(512, 1024),
            nn.Sigmoid(),
            nn.Linear(1024, 512),
            nn.Sigmoid(),
            nn.Linear(512, d_out),
        )

    def forward(self, x):
        return self.net(x)


class ANN_relu(nn.Module):
    def __init__(self, d_in, d_out):
        super(ANN_relu, self).__init__()
        self.model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 1024), nn.ReLU(),
                                   nn.Linear(1024, 512), nn.ReLU(), nn.Linear(512, 10))

    def forward(self, x):
        x = x.view(-1, 784)
        out = self.model(x)
        return out


class ANN_flat(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(784, 512)
        self.fc2 = nn.Linear(512, 1024)
        self.fc3 = nn.Linear(1024, 512)
        self.fc4 = nn.Linear(512, 10)

    def forward(self, x):
        x = self.flatten(x)
        x = torch.sigmoid(self.fc1(x))
        x = torch.sigmoid(self.fc2(x))
        x = torch.sigmoid(self.fc3(x))
        x = self.fc4(x)
        return x

    def forward_viewed(self, x):
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = F.relu(self.fc3(x))
        return self.fc4(x)
