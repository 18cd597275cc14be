#!/usr/bin/env python3
"""The PyTorch eager peer of rlhf4j's real-shape benchmarks (issue 17).

A plain reference implementation of the workloads that `bin/bench --real` measures, written the
way a transformers/TRL user gets them: eager mode, fp32, the transformers "eager" attention
(q·kᵀ/√d + a 4-D additive mask, softmax in fp32, ·v), a concatenating KV cache (DynamicCache),
the vocabulary projection only where it is needed (the last slot when decoding, the response
slots in DPO), torch.no_grad() for inference and torch.optim.AdamW for training.

It reads the Hugging Face directory the Java side wrote (config.json, model.safetensors in BF16)
with its own safetensors reader, widening BF16 to fp32 as `from_pretrained(torch_dtype=float32)`
does. One workload per process; it prints one JSON line on stdout:

  {"side": "pytorch", "workload": ..., "seconds": [...], "peakRssBytes": ..., "threads": {...}}

peakRssBytes is VmHWM of this process over the timed part, reset before it through
/proc/self/clear_refs ("5") where the kernel allows; otherwise the process's peak since start.

Needs torch (Debian: `apt-get install python3-torch`, torch 1.13 CPU with OpenBLAS). Set
OMP_NUM_THREADS and OPENBLAS_NUM_THREADS before starting: torch.set_num_threads does not limit
OpenBLAS. Usage: peer.py --dir DIR --workload prefill|decode|dpo|reward [options], see --help.
"""

import argparse
import ctypes
import json
import math
import os
import re
import struct
import sys
import time

import torch
import torch.nn.functional as F


# ---------------------------------------------------------------------------------------------
# checkpoint

def read_safetensors(path):
    """Tensors of one safetensors file by name, as fp32 (BF16/F16 widened)."""
    with open(path, "rb") as f:
        (header_len,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_len))
        data = f.read()
    dtypes = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = dtypes[info["dtype"]]
        tensor = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype)
        out[name] = tensor.reshape(info["shape"]).float()
    return out


def read_checkpoint(directory):
    index = os.path.join(directory, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    tensors = {}
    for name in files:
        tensors.update(read_safetensors(os.path.join(directory, name)))
    return tensors


# ---------------------------------------------------------------------------------------------
# model (transformers' LlamaModel / Qwen2Model, eager attention)

class RMSNorm(torch.nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads", self.heads)
        self.head_dim = c.get("head_dim") or d // self.heads
        bias = c.get("attention_bias", False) or c["model_type"] == "qwen2"
        self.q_proj = torch.nn.Linear(d, self.heads * self.head_dim, bias=bias)
        self.k_proj = torch.nn.Linear(d, self.kv_heads * self.head_dim, bias=bias)
        self.v_proj = torch.nn.Linear(d, self.kv_heads * self.head_dim, bias=bias)
        self.o_proj = torch.nn.Linear(self.heads * self.head_dim, d,
                                      bias=c.get("attention_bias", False)
                                      and c["model_type"] != "qwen2")

    def forward(self, x, cos, sin, mask, cache, layer):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            k, v = cache.update(k, v, layer)
        groups = self.heads // self.kv_heads
        if groups > 1:  # transformers' repeat_kv
            s = k.shape[2]
            k = k[:, :, None].expand(b, self.kv_heads, groups, s, self.head_dim).reshape(
                b, self.heads, s, self.head_dim)
            v = v[:, :, None].expand(b, self.kv_heads, groups, s, self.head_dim).reshape(
                b, self.heads, s, self.head_dim)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim) + mask
        probs = F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, t, -1)
        return self.o_proj(out)


class Mlp(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        d, inner = c["hidden_size"], c["intermediate_size"]
        bias = c.get("mlp_bias", False)
        self.gate_proj = torch.nn.Linear(d, inner, bias=bias)
        self.up_proj = torch.nn.Linear(d, inner, bias=bias)
        self.down_proj = torch.nn.Linear(inner, d, bias=bias)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        eps = c.get("rms_norm_eps", 1e-6)
        self.input_layernorm = RMSNorm(c["hidden_size"], eps)
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], eps)
        self.mlp = Mlp(c)

    def forward(self, h, cos, sin, mask, cache, layer):
        h = h + self.self_attn(self.input_layernorm(h), cos, sin, mask, cache, layer)
        return h + self.mlp(self.post_attention_layernorm(h))


class Backbone(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = torch.nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = torch.nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c.get("rms_norm_eps", 1e-6))
        head_dim = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
        theta = c.get("rope_theta", 10000.0)
        self.register_buffer(
            "inv_freq",
            1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim),
            persistent=False)

    def forward(self, ids, mask, cache=None):
        """Hidden states [b, t, d]; mask [b, past + t] of 0/1 (left padding allowed)."""
        b, t = ids.shape
        past = 0 if cache is None else cache.length()
        positions = (mask.cumsum(-1) - 1).clamp(min=0)[:, past:]
        freqs = positions[:, :, None].float() * self.inv_freq[None, None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]
        s = past + t
        dev = ids.device
        causal = torch.arange(s, device=dev)[None, :] <= torch.arange(past, s, device=dev)[:, None]
        allowed = causal[None, None] & mask[:, None, None, :].bool()
        bias = torch.zeros(b, 1, t, s, device=dev).masked_fill(~allowed, torch.finfo(torch.float32).min)
        h = self.embed_tokens(ids)
        for i, layer in enumerate(self.layers):
            h = layer(h, cos, sin, bias, cache, i)
        return self.norm(h)


class Cache:
    """transformers' DynamicCache: keys and values concatenated along the sequence axis."""

    def __init__(self, layers):
        self.keys = [None] * layers
        self.values = [None] * layers

    def length(self):
        return 0 if self.keys[0] is None else self.keys[0].shape[2]

    def update(self, k, v, layer):
        if self.keys[layer] is None:
            self.keys[layer], self.values[layer] = k, v
        else:
            self.keys[layer] = torch.cat((self.keys[layer], k), dim=2)
            self.values[layer] = torch.cat((self.values[layer], v), dim=2)
        return self.keys[layer], self.values[layer]

    def repeat(self, n):
        self.keys = [k.repeat_interleave(n, dim=0) for k in self.keys]
        self.values = [v.repeat_interleave(n, dim=0) for v in self.values]


class CausalLm(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.model = Backbone(c)
        self.tied = c.get("tie_word_embeddings", False)
        if not self.tied:
            self.lm_head = torch.nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)

    def head(self):
        return self.model.embed_tokens.weight if self.tied else self.lm_head.weight


class Classifier(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.model = Backbone(c)
        self.score = torch.nn.Linear(c["hidden_size"], c.get("num_labels", 1), bias=False)

    def forward(self, ids, mask):
        hidden = self.model(ids, mask)
        last = (mask * torch.arange(mask.shape[1], device=mask.device)).argmax(-1)
        return self.score(hidden[torch.arange(ids.shape[0], device=mask.device), last])


def load(directory, classifier=False):
    with open(os.path.join(directory, "config.json")) as f:
        c = json.load(f)
    model = Classifier(c) if classifier else CausalLm(c)
    missing, unexpected = model.load_state_dict(read_checkpoint(directory), strict=False)
    missing = [m for m in missing if m != "lm_head.weight"]
    if missing or [u for u in unexpected if not u.endswith("inv_freq")]:
        raise SystemExit(f"peer: {directory}: missing {missing}, unexpected {unexpected}")
    return model.to(DEVICE), c


# ---------------------------------------------------------------------------------------------
# measurement

def reset_peak():
    if DEVICE.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_bytes():
    with open("/proc/self/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)) * 1024


def openblas_threads():
    for name in ("libopenblas.so.0", "libopenblasp.so.0", "libblas.so.3"):
        try:
            lib = ctypes.CDLL(name)
            return int(lib.openblas_get_num_threads())
        except (OSError, AttributeError):
            continue
    return None


def threads_used():
    return {
        "intraOp": torch.get_num_threads(),
        "interOp": torch.get_num_interop_threads(),
        "openblas": openblas_threads(),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "blas": blas_library(),
    }


def blas_library():
    """The BLAS library mapped into this process: Debian's torch uses whichever libblas.so.3 the
    alternatives system selects, and the reference BLAS (package libblas3) is ~40x slower than
    OpenBLAS (package libopenblas0-pthread)."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "blas" in line and "/" in line}
    return sorted(paths)


DEVICE = torch.device("cpu")


def sync():
    if DEVICE.type == "cuda":
        torch.cuda.synchronize()


def ones(*shape):
    return torch.ones(*shape, dtype=torch.long, device=DEVICE)


def random_ids(rows, tokens, vocab, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab, (rows, tokens), generator=g).to(DEVICE)


def prefill(args):
    model, c = load(args.dir)
    model.eval()
    head = model.head()
    vocab = c["vocab_size"]

    def once(rows, tokens):
        ids = random_ids(rows, tokens, vocab, 1)
        mask = ones(rows, tokens)
        with torch.no_grad():
            cache = Cache(c["num_hidden_layers"])
            hidden = model.model(ids, mask, cache)
            logits = F.linear(hidden[:, -1], head)
            return int(logits.argmax(-1)[0])

    once(2, 16)  # warm-up
    seconds = []
    fresh = reset_peak()
    for _ in range(args.repeats):
        start = time.perf_counter()
        once(args.batch, args.tokens)
        seconds.append(time.perf_counter() - start)
    return {"seconds": seconds, "tokensPerCall": args.batch * args.tokens, "peakReset": fresh}


def decode(args):
    model, c = load(args.dir)
    model.eval()
    head = model.head()
    vocab = c["vocab_size"]
    ids = random_ids(1, args.context, vocab, 2)
    with torch.no_grad():
        cache = Cache(c["num_hidden_layers"])
        hidden = model.model(ids, ones(1, args.context), cache)
        cache.repeat(args.batch)
        token = F.linear(hidden[:, -1], head).argmax(-1).repeat(args.batch)[:, None]
        fresh = reset_peak()
        seconds = []
        for step in range(args.steps + 2):
            start = time.perf_counter()
            mask = ones(args.batch, cache.length() + 1)
            hidden = model.model(token, mask, cache)
            token = F.linear(hidden[:, -1], head).argmax(-1)[:, None]
            token.sum().item()
            if step >= 2:  # two warm-up steps
                seconds.append(time.perf_counter() - start)
    return {"seconds": seconds, "tokensPerCall": args.batch, "peakReset": fresh}


def sequence_log_probs(model, head, ids, mask, response):
    """Σ log p(token) over the response slots of each row: logits only at those slots."""
    hidden = model.model(ids[:, :-1], mask[:, :-1])
    select = response[:, 1:]
    logits = F.linear(hidden[select], head)
    token_lp = torch.gather(logits.log_softmax(-1), 1, ids[:, 1:][select][:, None])[:, 0]
    rows = torch.arange(ids.shape[0], device=ids.device)[:, None].expand_as(select)[select]
    return torch.zeros(ids.shape[0], device=ids.device).index_add(0, rows, token_lp)


def dpo(args):
    policy, c = load(args.dir)
    reference, _ = load(args.dir)
    reference.eval()
    for p in reference.parameters():
        p.requires_grad_(False)
    policy.train()
    optimizer = torch.optim.AdamW(policy.parameters(), lr=args.lr, weight_decay=0.0)
    rows = 2 * args.pairs
    vocab = c["vocab_size"]
    prompt = args.tokens // 2
    response = torch.zeros(rows, args.tokens, dtype=torch.bool, device=DEVICE)
    response[:, prompt:] = True
    mask = ones(rows, args.tokens)
    beta = 0.1
    seconds = []
    fresh = False
    for step in range(args.steps + 1):
        ids = random_ids(rows, args.tokens, vocab, 10 + step)
        ids[1::2, :prompt] = ids[0::2, :prompt]  # chosen and rejected share the prompt
        start = time.perf_counter()
        with torch.no_grad():
            ref = sequence_log_probs(reference, reference.head(), ids, mask,
                                     response)
        logp = sequence_log_probs(policy, policy.head(), ids, mask, response)
        margin = (logp[0::2] - ref[0::2]) - (logp[1::2] - ref[1::2])
        loss = -F.logsigmoid(beta * margin).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
        optimizer.step()
        sync()
        if step == 0:
            fresh = reset_peak()  # the first step (warm-up) allocates AdamW's state
        else:
            seconds.append(time.perf_counter() - start)
    return {"seconds": seconds, "tokensPerCall": rows * args.tokens, "peakReset": fresh}


def reward(args):
    model, _ = load(args.dir, classifier=True)
    model.eval()
    vocab = json.load(open(os.path.join(args.dir, "config.json")))["vocab_size"]
    ids = random_ids(args.batch, args.tokens, vocab, 3)
    mask = ones(args.batch, args.tokens)
    with torch.no_grad():
        model(ids[:2, :16], mask[:2, :16])  # warm-up
        fresh = reset_peak()
        seconds = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            model(ids, mask).sum().item()
            seconds.append(time.perf_counter() - start)
    return {"seconds": seconds, "tokensPerCall": args.batch * args.tokens, "peakReset": fresh}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True, help="Hugging Face model directory")
    p.add_argument("--workload", required=True, choices=["prefill", "decode", "dpo", "reward"])
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--tokens", type=int, default=496)
    p.add_argument("--context", type=int, default=32)
    p.add_argument("--steps", type=int, default=16)
    p.add_argument("--pairs", type=int, default=2)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--lr", type=float, default=1e-6)
    p.add_argument("--device", default="auto", help="cpu, cuda, or auto (cuda when available)")
    args = p.parse_args()
    global DEVICE
    if args.device == "auto":
        DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        DEVICE = torch.device(args.device)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    result = {"prefill": prefill, "decode": decode, "dpo": dpo, "reward": reward}[args.workload](
        args)
    result.update({
        "side": "pytorch",
        "workload": args.workload,
        "peakRssBytes": peak_rss_bytes(),
        "threads": threads_used(),
        "version": torch.__version__,
        "device": str(DEVICE),
    })
    if DEVICE.type == "cuda":
        result["peakCudaBytes"] = torch.cuda.max_memory_allocated()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.exit(main())
