# ruff: noqa: F821 - compiled after its base file, whose names it uses
# Extras for the grader's trusted reference job only, compiled after model.py: the outputs of the
# usual mistakes (for diagnoses) and the values torch gives each layer whatever order the layers
# are created in. Never sent to a job that runs student code.
import itertools

ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh, "none": lambda h: h}


def reference_extras(cls, p):
    x = _inputs(p["input_seed"], p["batch"], p["input_shape"], p["mean"], p["std"])
    weights = _weights(p["weight_seed"], p["linear"])

    def mlp(act, bias=True):
        h = x.reshape(x.shape[0], -1)
        for i, (w, b) in enumerate(weights):
            h = h @ w.T + (b if bias else 0)
            if i < len(weights) - 1:
                h = ACTIVATIONS[act](h)
        return h

    own = p["activation"]
    variants = {a: mlp(a) for a in ACTIVATIONS}
    variants["softmax"] = torch.softmax(variants[own], dim=1)
    variants["log_softmax"] = torch.log_softmax(variants[own], dim=1)
    variants["final_activation"] = ACTIVATIONS[own](variants[own])
    variants["nobias"] = mlp(own, bias=False)
    dims = [tuple(int(v) for v in d) for d in p["linear"]]
    options = {}
    for order in itertools.permutations(range(len(dims))):
        torch.manual_seed(int(p["seeds"][0]))
        for i in order:
            w = _sample(nn.Linear(*dims[i]).weight, p["sample_seed"], p["sample_k"])
            known = options.setdefault(dims[i], [])
            if not any(torch.equal(w, v) for v in known):
                known.append(w)
    return {"variants": variants, "init_options": [[list(d), v] for d, v in options.items()]}
