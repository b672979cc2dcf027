"""all-MiniLM-L6-v2's network as an ONNX graph, built from its safetensors weights.

The graph is a 6-layer BERT encoder: token, position and type embeddings, then
per layer self-attention and a GELU feed-forward block, each followed by a
residual layer norm. It returns the last hidden states; pooling stays with the
caller. Nothing here needs torch: the graph is written node by node with
`onnx.helper`, and onnxruntime runs it.

With `int8=True` the dense layers (92 % of the arithmetic and of the bytes read
per message) use 8-bit weights, one scale per output column, and activations
quantized on the fly: onnxruntime's dynamic quantization, the scheme its
`quantize_dynamic(per_channel=True)` tool writes. Measured on faqbot's crisis
examples: cosine 0.99 to the float32 vectors on average (0.988 at worst), and
about 6x faster on one core, because a message's cost is reading the weights
(42 MB in float32, 11 MB in int8), not arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BertShape:
    """The sizes of the network, read from the model's config.json."""

    layers: int = 6
    hidden: int = 384
    heads: int = 12
    layer_norm_eps: float = 1e-12


# The graph's inputs are "ids" and "types" (batch, length) and "positions"
# (0..length-1). There is no attention mask: faqbot runs one sentence at a time
# (see `SentenceEncoder.encode`), so there is never padding.
OUTPUT = "hidden"


def quantize_columns(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output column: `weight ~= quantized * scale`."""
    scale = np.abs(weight).max(axis=0) / np.float32(127.0)
    scale = np.where(scale > 0, scale, np.float32(1.0)).astype(np.float32)
    quantized = np.clip(np.rint(weight / scale), -127, 127).astype(np.int8)
    return quantized, scale


class _GraphWriter:
    """Collects nodes and initializers, naming each intermediate tensor."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self._helper = helper
        self._numpy_helper = numpy_helper
        self.nodes: list = []
        self.initializers: list = []
        self._count = 0

    def constant(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(
            self._numpy_helper.from_array(np.ascontiguousarray(value), name)
        )
        return name

    def node(self, op: str, inputs: list[str], outputs: int = 1, **attrs) -> list[str]:
        self._count += 1
        names = [f"{op.lower()}_{self._count}_{i}" for i in range(outputs)]
        self.nodes.append(self._helper.make_node(op, inputs, names, **attrs))
        return names

    def op(self, op: str, *inputs: str, **attrs) -> str:
        return self.node(op, list(inputs), **attrs)[0]


def word_embedding(g: _GraphWriter, table: np.ndarray, *, int8: bool) -> str:
    """The rows of the message's tokens. With `int8`, the table is kept in half
    precision: its 30,522 rows are half the model's bytes and only a message's
    few rows are read; the vectors move by about 1e-5."""
    if not int8:
        return g.op("Gather", g.constant("word", table), "ids")
    from onnx import TensorProto

    half = g.constant("word", table.astype(np.float16))
    return g.op("Cast", g.op("Gather", half, "ids"), to=TensorProto.FLOAT)


def build_graph(
    weights: Mapping[str, np.ndarray], shape: BertShape, *, int8: bool
) -> object:
    """The encoder as an `onnx.ModelProto`, float32 or with int8 dense layers."""
    from onnx import TensorProto, helper

    def get(name: str) -> np.ndarray:
        return np.asarray(weights[name], dtype=np.float32)

    g = _GraphWriter()
    size = shape.hidden // shape.heads
    eps = shape.layer_norm_eps

    def layer_norm(x: str, prefix: str) -> str:
        w = g.constant(f"{prefix}.weight", get(f"{prefix}.weight"))
        b = g.constant(f"{prefix}.bias", get(f"{prefix}.bias"))
        return g.op("LayerNormalization", x, w, b, axis=-1, epsilon=eps)

    def dense(x: str, name: str, weight: np.ndarray, bias: np.ndarray) -> str:
        # torch stores (out, in); the graph multiplies x @ W with W as (in, out).
        weight = np.ascontiguousarray(weight.T)
        b = g.constant(f"{name}.bias", bias)
        if not int8:
            return g.op("Add", g.op("MatMul", x, g.constant(f"{name}.w", weight)), b)
        quantized, scale = quantize_columns(weight)
        w = g.constant(f"{name}.w_int8", quantized)
        w_zero = g.constant(f"{name}.w_zero", np.zeros(weight.shape[1], np.int8))
        w_scale = g.constant(f"{name}.w_scale", scale)
        x_int, x_scale, x_zero = g.node("DynamicQuantizeLinear", [x], outputs=3)
        product = g.op("MatMulInteger", x_int, w, x_zero, w_zero)
        scaled = g.op(
            "Mul",
            g.op("Cast", product, to=TensorProto.FLOAT),
            g.op("Mul", x_scale, w_scale),
        )
        return g.op("Add", scaled, b)

    def linear(x: str, name: str, prefix: str) -> str:
        return dense(x, name, get(f"{prefix}.weight"), get(f"{prefix}.bias"))

    embedded = g.op(
        "Add",
        g.op(
            "Add",
            word_embedding(g, get("embeddings.word_embeddings.weight"), int8=int8),
            g.op(
                "Gather",
                g.constant("position", get("embeddings.position_embeddings.weight")),
                "positions",
            ),
        ),
        g.op(
            "Gather",
            g.constant("token_type", get("embeddings.token_type_embeddings.weight")),
            "types",
        ),
    )
    x = layer_norm(embedded, "embeddings.LayerNorm")

    split_heads = g.constant(
        "split_heads", np.array([0, 0, 3, shape.heads, size], dtype=np.int64)
    )
    join_heads = g.constant(
        "join_heads", np.array([0, 0, shape.hidden], dtype=np.int64)
    )
    scale = g.constant("attention_scale", np.array(1 / math.sqrt(size), np.float32))
    half = g.constant("half", np.array(0.5, np.float32))
    one = g.constant("one", np.array(1.0, np.float32))
    root_half = g.constant("root_half", np.array(1 / math.sqrt(2), np.float32))
    first_axis = g.constant("first_axis", np.array([0], dtype=np.int64))
    bounds = [g.constant(f"bound_{i}", np.array([i], dtype=np.int64)) for i in range(4)]

    def gelu(v: str) -> str:
        # BERT's exact GELU: v * (1 + erf(v / sqrt 2)) / 2.
        erf = g.op("Erf", g.op("Mul", v, root_half))
        return g.op("Mul", g.op("Mul", v, half), g.op("Add", erf, one))

    for i in range(shape.layers):
        p = f"encoder.layer.{i}"
        attention = f"{p}.attention.self"
        qkv_weight = np.concatenate(
            [get(f"{attention}.{n}.weight") for n in ("query", "key", "value")]
        )
        qkv_bias = np.concatenate(
            [get(f"{attention}.{n}.bias") for n in ("query", "key", "value")]
        )
        qkv = dense(x, f"{p}.qkv", qkv_weight, qkv_bias)
        # (batch, length, 3, heads, size) -> (3, batch, heads, length, size)
        qkv = g.op("Transpose", g.op("Reshape", qkv, split_heads), perm=[2, 0, 3, 1, 4])
        q, k, v = (
            g.op(
                "Squeeze",
                g.op("Slice", qkv, bounds[j], bounds[j + 1], first_axis),
                first_axis,
            )
            for j in range(3)
        )
        scores = g.op("MatMul", q, g.op("Transpose", k, perm=[0, 1, 3, 2]))
        scores = g.op("Mul", scores, scale)
        context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
        context = g.op(
            "Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), join_heads
        )
        attended = linear(context, f"{p}.attention_out", f"{p}.attention.output.dense")
        x = layer_norm(g.op("Add", x, attended), f"{p}.attention.output.LayerNorm")
        inner = gelu(linear(x, f"{p}.intermediate", f"{p}.intermediate.dense"))
        out = linear(inner, f"{p}.output", f"{p}.output.dense")
        x = layer_norm(g.op("Add", x, out), f"{p}.output.LayerNorm")
    g.nodes.append(helper.make_node("Identity", [x], [OUTPUT]))

    tensor = helper.make_tensor_value_info
    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [
            tensor("ids", TensorProto.INT64, ["batch", "length"]),
            tensor("types", TensorProto.INT64, ["batch", "length"]),
            tensor("positions", TensorProto.INT64, ["length"]),
        ],
        [tensor(OUTPUT, TensorProto.FLOAT, ["batch", "length", shape.hidden])],
        g.initializers,
    )
    # Opset 17 brings LayerNormalization; IR 8 is what onnxruntime 1.18+ reads.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def open_session(model: object) -> Callable[[dict[str, np.ndarray]], np.ndarray]:
    """An onnxruntime session on one thread: `run(feeds)` gives the hidden states.

    One thread, because faqbot runs one worker process per core already; more
    threads per message only contend with the other worker.
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # warnings about unused initializers are noise
    session = onnxruntime.InferenceSession(
        model.SerializeToString(),  # type: ignore[attr-defined]
        options,
        providers=["CPUExecutionProvider"],
    )

    def run(feeds: dict[str, np.ndarray]) -> np.ndarray:
        return session.run([OUTPUT], feeds)[0]

    return run
