from collections import Counter

from datagen.seeding import derive, permutation


def test_permutation_is_a_deterministic_shuffle():
    for n in range(0, 12):
        for k in range(50):
            key = derive(0, "t", n, k)
            assert sorted(permutation(n, key)) == list(range(n))
            assert permutation(n, key) == permutation(n, key)
    assert len({tuple(permutation(6, derive(1, k))) for k in range(200)}) > 150  # keys give different orders


def test_permutation_puts_every_candidate_everywhere_equally_often():
    n, draws = 6, 12_000
    seen = Counter()
    for k in range(draws):
        for place, item in enumerate(permutation(n, derive(7, "shuffle", k))):
            seen[place, item] += 1
    expected = draws / n
    assert all(abs(seen[p, i] - expected) < 0.08 * expected for p in range(n) for i in range(n)), seen
