"""The fitting core of the learned topic decision (benchmarks/fit_topic_model.py runs it): a labelled release
read as at indexing time, its word and cue matrices, the per-topic logistic regression and the decisions it gives.

topicfit moved it here from fit_topic_model.py (which re-exports every name the tests use) and added the knobs of
``Config``: the vocabulary's size, adjacent word pairs, a weight on a release's topics, the mean of fits on
bootstrap draws, per-topic threshold shifts chosen by an inner CV on the releases fitted on.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace

# One BLAS thread: on the shared two-core machine more threads make each fit about three times slower.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
import numpy as np  # noqa: E402

import fit_topics  # noqa: E402
from kb import taxonomy  # noqa: E402
from kb.extract import extract  # noqa: E402
from kb.extract.topic_guide import within_the_guide  # noqa: E402
from kb.extract.topic_model import (  # noqa: E402
    CUES, OPEN_PREFIX, RuleReading, VocabularyScan, indexed_counts, indexed_pairs, release_words, segment_release,
    topic_cues,
)
from kb.extract.topics import rule_reading  # noqa: E402
from kb.models import RawDocument  # noqa: E402
from kb.thai.digits import thai_digits_to_arabic  # noqa: E402

# Segmented words: the whole release, headline and lead, headline only; "index": the indexer's words.
SCOPES = ("index", "index-lead", "all", "lead", "title")
# Decisions' word scopes: the segmented ones and "scan" (kb.extract.topic_model.VocabularyScan).
WORD_SCOPES = ("scan", "scan-lead") + SCOPES
COMPUTED_SCOPES = list(SCOPES)  # --scopes: only these are segmented (segmenting every scope is slow)
TOPICS = tuple(t["key"] for t in taxonomy.topics())
VOCABULARY_CAP = 1000
MIN_RELEASES = 3  # a word in fewer training releases is no feature
SCAN_MIN_CHARS = 3  # scan: a shorter word is mostly a piece of others (อง, แล)
SCAN_MAX_SHARE = 0.25  # scan: nor a word found in more of the training releases
CUE_L2 = 1.0
ITERATIONS = 800
THRESHOLDS = np.arange(0.20, 0.81, 0.02)
BAG_SEED = 2026  # topicfit: the bootstrap draws of ``Config.bags``
INNER_FOLDS = 3  # topicfit: ``Config.topic_shifts``, chosen by CV inside the releases fitted on
SHIFTS = np.arange(-1.0, 1.01, 0.25)  # topicfit: per-topic log-odds threshold shifts tried
FRESH_SETS = ("train5_thaigov", "train6_thaigov")  # topicfit: labelled before any rule was written from them
SEGMENTED = {"scan": "all", "scan-lead": "lead"}  # a scan scope's candidate words: those of this segmented scope


@dataclass
class Release:
    name: str
    want: set[str]
    rules: set[str]
    cues: dict[str, dict[str, float]]
    words: dict[str, dict[str, float]]  # segmented, by scope: "all", "lead", "title"
    title: str  # Thai digits folded, for the scan
    text: str
    reading: RuleReading  # for the guide's constraints on any decision (``within_the_guide``)
    origin: str = ""  # topicfit: the labelled set it comes from (``Config.fresh_weight``)


@dataclass(frozen=True)
class Config:
    label: str
    scope: str | None  # None: no word features
    cues: bool
    word_l2: float
    threshold: float | None  # None: fitted on the training releases
    bias_l2: float = 0.0
    shared: bool = False  # also word weights shared by every topic, on the topics with a hit
    open_cues: bool = False  # model2: the cues again for a topic the rules do not keep ("open:" cues)
    add_threshold: float | None = None  # model2: a topic the rules do not keep is added from this (None: threshold)
    # topicfit: the vocabulary's size; adjacent word pairs among its candidates; a release's weight where it
    # has the topic; the mean of this many fits on bootstrap draws; per-topic threshold shifts chosen by an
    # inner CV on the releases fitted on (folded into the topic's bias).
    vocabulary_cap: int = 1000
    pairs: bool = False
    positive_weight: float = 1.0
    bags: int = 1
    topic_shifts: bool = False
    fresh_weight: float = 1.0  # topicfit: a release of ``FRESH_SETS`` (labelled before rules read them) weighs this
    block_steps: bool = False  # topicfit: a step per block of weights (``block_steps``), not one for all


@dataclass
class Fit:
    vocabulary: list[str]
    word_weights: np.ndarray
    cue_mean: np.ndarray
    cue_scale: np.ndarray
    cue_weights: np.ndarray  # shared by every topic
    bias: np.ndarray
    threshold: float
    shared_weights: np.ndarray  # vocabulary: on every topic with a hit (what a passing mention's release says)
    add_threshold: float | None = None  # a topic the rules do not keep is added from this (None: ``threshold``)


def make_release(doc_id: str, raw: RawDocument, want: set[str]) -> Release | None:
    """A labelled release read as at indexing time; None unless ``extract`` types it news."""
    if extract(raw, doc_id).type != "news":
        return None
    title = thai_digits_to_arabic((raw.title or "").strip())
    text = thai_digits_to_arabic((raw.text or "").strip())
    reading = rule_reading(text, title, release=True)
    by_scope = {scope: release_words(title, text, scope) for scope in SCOPES
                if scope in COMPUTED_SCOPES and not scope.startswith("index")}
    found = segment_release(title, text)  # counts: unit length over the vocabulary in word_matrix
    by_scope["index"], by_scope["index-lead"] = indexed_counts(found), indexed_counts(found, whole=False)
    # topicfit: adjacent word pairs, candidates with ``Config.pairs``
    by_scope["pairs:index"], by_scope["pairs:index-lead"] = indexed_pairs(found), indexed_pairs(found, whole=False)
    return Release(doc_id, want, set(reading.kept), topic_cues(reading), by_scope, title, text, reading)


def release_features(r: Release, scope: str) -> dict[str, float]:
    """A release's place-weighted counts in ``scope``; the index scopes' with their word pairs (topicfit)."""
    if not scope.startswith("index"):
        return r.words[scope]
    return {**r.words[scope], **r.words.get("pairs:" + scope, {})}


def choose_vocabulary(releases: list[Release], scope: str, cap: int | None = None, pairs: bool = False) -> list[str]:
    """Words in ``MIN_RELEASES`` training releases or more, the ``cap`` (``VOCABULARY_CAP``) whose presence
    rate differs most between the releases with and without some topic ("scan": words of the
    segmented releases, present where the scan finds them); ``pairs``: adjacent word pairs too (topicfit)."""
    df: dict[str, int] = {}
    y = labels(releases)
    for r in releases:
        for w in release_features(r, scope) if pairs else r.words[SEGMENTED.get(scope, scope)]:
            df[w] = df.get(w, 0) + 1
    shortest = SCAN_MIN_CHARS if scope.startswith("scan") else 1
    words = sorted(w for w, n in df.items() if n >= MIN_RELEASES and len(w) >= shortest)
    if not words:
        return []
    pos = y.sum(axis=0)
    if scope.startswith("scan"):
        present = word_matrix(releases, words, scope).T > 0  # words × releases
        # A piece found in most releases (งาน, รัฐ) says little and is what the scan's time goes to.
        common = present.mean(axis=1) > SCAN_MAX_SHARE
        words = [w for w, c in zip(words, common) if not c]
        present = present[~common]
        hits, df_words = present @ y, present.sum(axis=1)
    else:  # topicfit: counted sparsely (a dense releases × candidates matrix with pairs is gigabytes)
        hits, df_words = presence_counts(releases, words, scope, y)
    rate_in = hits / np.maximum(pos, 1)
    rate_out = (df_words[:, None] - hits) / np.maximum(len(releases) - pos, 1)
    score = np.abs(rate_in - rate_out).max(axis=1)
    order = np.argsort(-score, kind="stable")[:cap or VOCABULARY_CAP]
    return sorted(words[i] for i in order)


def presence_counts(releases: list[Release], words: list[str], scope: str, y: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate word, the releases holding it per topic (words × topics) and in all."""
    index = {w: j for j, w in enumerate(words)}
    rows, cols = [], []
    for i, r in enumerate(releases):
        for w, v in release_features(r, scope).items():
            j = index.get(w)
            if j is not None and v > 0:
                rows.append(i)
                cols.append(j)
    hits = np.zeros((len(words), y.shape[1]))
    np.add.at(hits, np.array(cols, dtype=int), y[np.array(rows, dtype=int)])
    return hits, np.bincount(np.array(cols, dtype=int), minlength=len(words)).astype(float)


def labels(releases: list[Release]) -> np.ndarray:
    return np.array([[float(t in r.want) for t in TOPICS] for r in releases]).reshape(len(releases), len(TOPICS))


def word_matrix(releases: list[Release], vocabulary: list[str], scope: str | None) -> np.ndarray:
    x = np.zeros((len(releases), len(vocabulary)))
    if scope is None:
        return x
    if scope.startswith("scan"):
        scan = VocabularyScan(vocabulary, body=scope == "scan")
        for i, r in enumerate(releases):
            for j, v in scan.features(r.title, r.text).items():
                x[i, j] = v
        return x
    index = {w: j for j, w in enumerate(vocabulary)}
    for i, r in enumerate(releases):
        for w, v in release_features(r, scope).items():
            if w in index:
                x[i, index[w]] = v
    if scope.startswith("index"):  # as the model reads it: log counts of the vocabulary's words, unit length
        x = np.log1p(x)
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        x /= norms
    return x


def cue_tensor(releases: list[Release], use: bool, open_cues: bool = False) -> np.ndarray:
    """releases × topics × cues; a topic with no hit has every cue 0.  ``open_cues`` (model2): the cues
    again, 0 where the rules keep the topic (``OPEN_PREFIX``), so adding is weighed apart from dropping."""
    c = np.zeros((len(releases), len(TOPICS), len(CUES) if use else 0))
    if use:
        for i, r in enumerate(releases):
            for j, t in enumerate(TOPICS):
                if t in r.cues:
                    c[i, j] = [r.cues[t][k] for k in CUES]
    if use and open_cues:
        kept = CUES.index("rules_kept")
        c = np.concatenate([c, c * (1 - c[:, :, kept:kept + 1])], axis=2)
    return c


def cue_names(config: Config) -> list[str]:
    """The stored cue names: ``CUES``, and with ``open_cues`` their "open:" copies."""
    if not config.cues:
        return []
    return list(CUES) + ([OPEN_PREFIX + c for c in CUES] if config.open_cues else [])


def logits(fit: Fit, words: np.ndarray, cues: np.ndarray) -> np.ndarray:
    out = words @ fit.word_weights + fit.bias
    if cues.shape[2]:
        out += (words @ fit.shared_weights)[:, None] * cues[:, :, CUES.index("candidate")]
    if cues.shape[2]:
        out += ((cues - fit.cue_mean) / fit.cue_scale) @ fit.cue_weights
    return out


def fit(releases: list[Release], config: Config, iterations: int | None = None) -> Fit:
    """L2 logistic regression per topic by Nesterov-accelerated gradient descent; with ``config.bags`` > 1 the
    mean of the weights of fits on bootstrap draws of the releases (the vocabulary and the cues' scaling those of
    all of them: the mean of linear fits is one linear fit, inference costs the same)."""
    vocabulary = choose_vocabulary(releases, config.scope, config.vocabulary_cap, config.pairs) if config.scope else []
    x, c, y = word_matrix(releases, vocabulary, config.scope), cue_tensor(releases, config.cues, config.open_cues), \
        labels(releases)
    k_cues = c.shape[2]
    flat = c.reshape(len(releases) * len(TOPICS), k_cues)
    mean = flat.mean(axis=0) if k_cues else np.zeros(0)
    std = flat.std(axis=0) if k_cues else np.zeros(0)
    scale = np.where(std > 1e-6, std + 1e-9, 1.0)  # a cue constant in training: stored as 1, not 1e-9 → 0
    draws = [None] if config.bags <= 1 else \
        [np.random.default_rng(BAG_SEED + b).integers(0, len(releases), len(releases)) for b in range(config.bags)]
    fresh = np.array([config.fresh_weight if r.origin in FRESH_SETS else 1.0 for r in releases])
    runs = [descend(x if rows is None else x[rows], c if rows is None else c[rows], y if rows is None else y[rows],
                    mean, scale, config, iterations or ITERATIONS, fresh if rows is None else fresh[rows])
            for rows in draws]
    params = [np.mean([run[k] for run in runs], axis=0) for k in range(len(runs[0]))]
    result = Fit(vocabulary, params[0], mean, scale, params[1], params[2] + params[3], 0.5, params[4],
                 config.add_threshold)
    if config.topic_shifts:
        result.bias = result.bias - topic_shifts(releases, config, iterations)
    if config.threshold is None:
        p = 1 / (1 + np.exp(-logits(result, x, c)))
        result.threshold = float(-max((prf(score(releases, decided(p, t)))[2], -t) for t in THRESHOLDS)[1])
    else:
        result.threshold = config.threshold
    return result


def descend(x: np.ndarray, c: np.ndarray, y: np.ndarray, mean: np.ndarray, scale: np.ndarray, config: Config,
            iterations: int, rows: np.ndarray | None = None) -> list[np.ndarray]:
    """The weights (words per topic, cues, topic biases, shared intercept, shared words) minimizing the L2
    logistic loss; a release's loss on a topic it has weighs ``config.positive_weight``, a release's whole loss
    its ``rows`` weight (topicfit)."""
    n, k_cues = len(x), c.shape[2]
    cs = (c - mean) / scale if k_cues else c
    flat = c.reshape(n * len(TOPICS), k_cues) / scale  # the step's bound over the cues as scaled, not centred
    weight = 1.0 + (config.positive_weight - 1.0) * y
    if rows is not None:
        weight = weight * rows[:, None]
    # The cues' weights are shared by every topic (a passing mention looks alike whatever its
    # topic); the words' weights and the biases are per topic.
    lipschitz = 0.25 * float(weight.max(initial=1.0)) * (
        (np.linalg.norm(x, 2) ** 2 if x.size else 0.0) + (np.linalg.norm(flat, 2) ** 2 if k_cues else 0.0) + n)
    step = 1.0 / (lipschitz * (2 + 1 / len(TOPICS)) + max(config.word_l2, CUE_L2, config.bias_l2))
    # A shared intercept, and per topic a bias around it shrunk by ``config.bias_l2``: a set whose
    # releases carry more topics than the training sets (the old set) needs the cues to decide.
    candidate = c[:, :, CUES.index("candidate")] if k_cues else np.zeros(y.shape)
    steps = block_steps(x, cs, candidate, config, float(weight.max(initial=1.0))) if config.block_steps else [step] * 5
    shared = float(config.shared)
    params = [np.zeros((x.shape[1], len(TOPICS))), np.zeros(k_cues), np.zeros(len(TOPICS)), np.zeros(1),
              np.zeros(x.shape[1])]
    ahead = [p.copy() for p in params]
    for k in range(iterations):
        z = x @ ahead[0] + ahead[2] + ahead[3] + (cs @ ahead[1] if k_cues else 0.0)
        z += shared * (x @ ahead[4])[:, None] * candidate
        r = (1 / (1 + np.exp(-z)) - y) * weight
        grads = [x.T @ r + config.word_l2 * ahead[0],
                 (np.einsum("ntk,nt->k", cs, r) if k_cues else ahead[1]) + CUE_L2 * ahead[1],
                 r.sum(axis=0) + config.bias_l2 * ahead[2], np.array([r.sum()]),
                 shared * (x.T @ (r * candidate).sum(axis=1)) + config.word_l2 * ahead[4]]
        new = [a - h * g for a, h, g in zip(ahead, steps, grads)]
        momentum = k / (k + 3)
        ahead = [nw + momentum * (nw - p) for nw, p in zip(new, params)]
        params = new
    return params


def block_steps(x: np.ndarray, cs: np.ndarray, candidate: np.ndarray, config: Config, most: float) -> list[float]:
    """topicfit: per block of weights (words, cues, topic biases, intercept, shared words), one over the bound of
    its own curvature times the number of blocks (the loss's Hessian is at most that many times its block
    diagonal): the one shared step is bounded by the cues' curvature, far over the words', so 800 steps left the
    words' weights short of their optimum and the word L2 without effect."""
    n, pw = len(x), 0.25 * most  # ``most``: the largest weight of a release's loss on a topic
    words = np.linalg.norm(x, 2) ** 2 if x.size else 0.0
    cues = np.linalg.norm(cs.reshape(-1, cs.shape[2]), 2) ** 2 if cs.shape[2] else 0.0
    shared = np.linalg.norm(x * np.sqrt(candidate.sum(axis=1))[:, None], 2) ** 2 if x.size else 0.0
    bounds = [(words, config.word_l2), (cues, CUE_L2), (n, config.bias_l2), (n * len(TOPICS), 0.0),
              (shared * config.shared, config.word_l2)]
    return [1.0 / (5 * pw * b + l2 + 1e-9) for b, l2 in bounds]


def topic_shifts(releases: list[Release], config: Config, iterations: int | None) -> np.ndarray:
    """topicfit: per topic, the shift of its log-odds threshold (``SHIFTS``) that gives the topic's best F1 over
    the releases fitted on, each decided by a fit on the other ``INNER_FOLDS`` parts of them (ties: the smaller
    shift); within the guide, as ``decide``.  Subtracted from the topic's bias, the stored model needs nothing new."""
    inner = replace(config, topic_shifts=False)
    part = [int(hashlib.sha256(("inner" + r.name).encode()).hexdigest(), 16) % INNER_FOLDS for r in releases]
    z = np.zeros((len(releases), len(TOPICS)))
    for i in range(INNER_FOLDS):
        mine = [j for j, p in enumerate(part) if p == i]
        fitted = fit([r for r, p in zip(releases, part) if p != i], inner, iterations)
        z[mine] = logit_matrix(fitted, inner, [releases[j] for j in mine])
    y = labels(releases).astype(bool)
    held_in, held_out = guide_bounds(releases)
    kept = np.array([[t in r.rules for t in TOPICS] for r in releases])
    keep_at = config.threshold or 0.5
    keep, add = (np.log(t / (1 - t)) for t in (keep_at, config.add_threshold or keep_at))
    cut = np.where(kept, keep, add)
    out = np.zeros(len(TOPICS))
    for j in range(len(TOPICS)):
        best = None
        for d in sorted(SHIFTS, key=abs):
            chosen = held_in[:, j] | (~held_out[:, j] & (z[:, j] - d >= cut[:, j]))
            tp, given = (chosen & y[:, j]).sum(), chosen.sum()
            f1 = 2 * tp / max(given + y[:, j].sum(), 1)
            if best is None or f1 > best[0] + 1e-12:
                best = (f1, d)
        out[j] = best[1]
    return out


def guide_bounds(releases: list[Release]) -> tuple[np.ndarray, np.ndarray]:
    """Per release and topic, whether the guide holds the topic whatever the model says (``within_the_guide`` of
    no topic) and whether it refuses it (not in ``within_the_guide`` of every topic)."""
    held_in = np.array([[t in within_the_guide(set(), r.reading, r.title, r.text) for t in TOPICS] for r in releases])
    every = set(TOPICS)
    held_out = np.array([[t not in within_the_guide(every, r.reading, r.title, r.text) for t in TOPICS]
                         for r in releases])
    return held_in.reshape(len(releases), len(TOPICS)), held_out.reshape(len(releases), len(TOPICS))


def logit_matrix(fitted: Fit, config: Config, releases: list[Release]) -> np.ndarray:
    x = word_matrix(releases, fitted.vocabulary, config.scope)
    return logits(fitted, x, cue_tensor(releases, config.cues, config.open_cues))


def decide(fitted: Fit, config: Config, releases: list[Release]) -> list[set[str]]:
    p = 1 / (1 + np.exp(-logit_matrix(fitted, config, releases)))
    chosen = decided(p, fitted.threshold, fitted.add_threshold, [r.rules for r in releases])
    return [within_the_guide(d, r.reading, r.title, r.text) for r, d in zip(releases, chosen)]


def decided(p: np.ndarray, threshold: float, add: float | None = None, kept: list[set[str]] | None = None
            ) -> list[set[str]]:
    """Per release, the topics over ``threshold``; with ``add`` (model2), a topic not in the release's
    ``kept`` (the rules') over ``add`` instead."""
    if add is None or kept is None:
        return [{t for t, v in zip(TOPICS, row) if v >= threshold} for row in p]
    return [{t for t, v in zip(TOPICS, row) if v >= (threshold if t in k else add)} for row, k in zip(p, kept)]


def score(releases: list[Release], topics: list[set[str]]) -> np.ndarray:
    return np.array([sum(len(d & r.want) for d, r in zip(topics, releases)),
                     sum(len(d) for d in topics), sum(len(r.want) for r in releases)])


prf = fit_topics.prf
