"""What the ReALM paper reports, as data, in one place: Table 3 (accuracy %) and how to cite it."""

from __future__ import annotations

from typing import Dict

# Table 3 of Moniz et al. (2024): accuracy in % per test set; keys are this project's subset names
TABLE3: Dict[str, Dict[str, float]] = {
    "MARRS": {"conversational": 92.1, "synthetic": 99.4, "screen": 83.5, "unseen": 84.5},
    "GPT-3.5": {"conversational": 84.1, "synthetic": 34.2, "screen": 74.1, "unseen": 67.5},
    "GPT-4": {"conversational": 97.0, "synthetic": 58.7, "screen": 90.1, "unseen": 98.4},
    "ReALM-80M": {"conversational": 96.7, "synthetic": 99.5, "screen": 88.9, "unseen": 99.3},
    "ReALM-250M": {"conversational": 97.8, "synthetic": 99.8, "screen": 90.6, "unseen": 97.2},
    "ReALM-1B": {"conversational": 97.9, "synthetic": 99.7, "screen": 91.4, "unseen": 94.8},
    "ReALM-3B": {"conversational": 97.9, "synthetic": 99.8, "screen": 93.0, "unseen": 97.8},
}

CITATION = """@inproceedings{moniz2024realm,
  title = {{ReALM}: Reference Resolution As Language Modeling},
  author = {Moniz, Joel Ruben Antony and others},
  booktitle = {Proceedings of the 25th Annual Meeting of the Special Interest Group on Discourse and Dialogue (SIGDIAL)},
  year = {2024},
  eprint = {2403.20329},
  archivePrefix = {arXiv}
}"""
