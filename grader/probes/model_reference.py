# ruff: noqa: F821 - compiled after its base file, whose names it uses
# Extras for the grader's trusted reference job only, compiled after model.py: the outputs of the
# usual mistakes (for diagnoses) and the values torch gives each layer whatever order the layers
# are created in. Never sent to a job that runs student code.
ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh, "none": lambda h: h,
               # leaky ReLU at PyTorch's default slope: named, not "largest difference 0.002" (a student's review)
               "leaky_relu": lambda h: torch.nn.functional.leaky_relu(h, 0.01)}


def reference_extras(cls, p):
    x = _inputs(p["input_seed"], p["batch"], p["input_shape"], p["mean"], p["std"])
    weights = _weights(p["weight_seed"], p["linear"])

    def mlp(act, bias=True):
        h = x.reshape(x.shape[0], -1)
        for i, (w, b) in enumerate(weights):
            h = h @ w.T + (b if (bias if isinstance(bias, bool) else bias[i]) else 0)
            if i < len(weights) - 1:
                h = ACTIVATIONS[act](h)
        return h

    own = p["activation"]
    variants = {a: mlp(a) for a in ACTIVATIONS}
    variants["softmax"] = torch.softmax(variants[own], dim=1)
    variants["log_softmax"] = torch.log_softmax(variants[own], dim=1)
    variants["final_activation"] = ACTIVATIONS[own](variants[own])
    # Another activation after the last layer (a ninety-third review: tanh or sigmoid on a ReLU
    # network's output was told only "largest difference 0.658").
    for other in ("sigmoid", "relu", "tanh"):
        if other != own:
            variants["output:" + other] = ACTIVATIONS[other](variants[own])
    variants["nobias"] = mlp(own, bias=False)
    # Some layers without bias (a forty-sixth review: the last one alone cost activations too): the
    # reference with the same layers' biases left out, one variant per pattern.
    n = len(weights)
    if n <= 4:
        for mask in range(1, 2 ** n - 1):
            has = [bool(mask >> (n - 1 - i) & 1) for i in range(n)]
            variants["bias:" + "".join("1" if h else "0" for h in has)] = mlp(own, bias=has)
    # The weights torch gives a layer of each size when it is the first one created after the
    # seed: a student's layers hold these whatever else they do, unless nothing is right.
    options = []
    for d in p["linear"]:
        torch.manual_seed(int(p["seeds"][0]))
        options.append([[int(v) for v in d], [_sample(nn.Linear(*d).weight, p["sample_seed"], p["sample_k"])]])
    return {"variants": variants, "init_options": options}
