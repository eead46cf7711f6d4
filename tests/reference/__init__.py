"""Recorded behaviour: code of earlier releases, kept unchanged to compare with.

``engine_v1.py`` is ``helping_process/engine.py`` as it was before process
definitions (commit 709cb83), deciding with the transition table of
:mod:`helping_process.states`: the behaviour ``helping-process@1`` must keep
(see ``tests/property/test_first_rules.py``). Never edit it to make a test pass.
"""
