from __future__ import annotations

import hashlib

from srma.provenance.hashing import HashCache, sha256_file, sha256_path, sha256_tree

# FIPS 180-2, appendix B.1: SHA-256("abc")
ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_sha256_file_known_value(tmp_path):
    f = tmp_path / "abc.txt"
    f.write_bytes(b"abc")
    assert sha256_file(f) == ABC


def test_sha256_file_large_file_matches_hashlib(tmp_path):
    data = bytes(range(256)) * 9000  # > the 1 MiB read chunk
    f = tmp_path / "big.bin"
    f.write_bytes(data)
    assert sha256_file(f) == hashlib.sha256(data).hexdigest()


def test_tree_digest_is_made_of_sorted_paths_and_file_digests(tmp_path):
    a = tmp_path / "a"
    (a / "sub").mkdir(parents=True)
    (a / "sub" / "x.txt").write_bytes(b"abc")
    (a / "b.txt").write_bytes(b"")
    empty = hashlib.sha256(b"").hexdigest()
    expected = hashlib.sha256(f"b.txt\0{empty}\nsub/x.txt\0{ABC}\n".encode()).hexdigest()
    assert sha256_tree(a) == expected
    # the same files created in another order give the same digest
    b = tmp_path / "b"
    b.mkdir()
    (b / "b.txt").write_bytes(b"")
    (b / "sub").mkdir()
    (b / "sub" / "x.txt").write_bytes(b"abc")
    assert sha256_tree(b) == expected
    (b / "sub" / "x.txt").write_bytes(b"abd")
    assert sha256_tree(b) != expected


def test_sha256_path_kinds(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"abc")
    assert sha256_path(f) == (ABC, "file", 3)
    assert sha256_path(tmp_path / "absent") is None
    digest, kind, size = sha256_path(tmp_path)
    assert kind == "directory" and size == 3 and len(digest) == 64


def test_cache_hashes_each_path_once(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"abc")
    cache = HashCache()
    assert cache.sha256(f) == ABC
    f.write_bytes(b"changed")  # the cache assumes files do not change during a run
    assert cache.sha256(tmp_path / "." / "f") == ABC
    assert cache.hashed == 1
    cache.forget(f)
    assert cache.sha256(f) == hashlib.sha256(b"changed").hexdigest()
    assert cache.sha256(tmp_path / "absent") is None
    assert cache.hashed == 3
