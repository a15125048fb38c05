"""The log-wide transparency tree (RFC 9162) over every event in store order, and its signed heads.

`proofs` (hashing, proofs, their verification) and `note` (C2SP signed notes, checkpoints,
cosignatures) use no database: a verifier needs a tree head, a proof and a key, nothing else.
`store` keeps the tree's complete subtrees beside the events and answers proofs from them.
"""
