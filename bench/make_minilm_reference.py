"""Writes tests/data/minilm_reference.json: sentence-transformers' own vectors.

Run it in a throwaway environment, never in faqbot's (faqbot does not use torch):

    python3 -m venv /tmp/ref
    /tmp/ref/bin/pip install torch sentence-transformers
    /tmp/ref/bin/python bench/make_minilm_reference.py MODEL_DIR OUT.json

where MODEL_DIR is `bot.understanding.semantic.default_model_dir()` in faqbot's
environment. tests/test_semantic.py checks the float32 encoder against the file,
and the int8 one faqbot serves within a tolerance.
"""

import json
import sys

import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

TEXTS = [
    "I want to kill myself",
    "how much does an infusion cost?",
    "Is ketamine safe if I take antidepressants?",
    "my chest hurts really bad right now and my left arm is numb",
    "qué es chronic pain?",
    "wat makes pain chronik vs just normal pain 😩",
    "",
    "a " + "very long message about back pain that goes on and on " * 40,
]


def main(model_dir: str, out: str) -> None:
    model = SentenceTransformer(model_dir, device="cpu")
    vectors = model.encode(TEXTS, convert_to_numpy=True)
    data = {
        "model": "sentence-transformers/all-MiniLM-L6-v2 via sentence-transformers"
        f" {sentence_transformers.__version__}, torch {torch.__version__}",
        "texts": TEXTS,
        "vectors": [[round(float(x), 6) for x in row] for row in vectors],
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(data, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
