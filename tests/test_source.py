import pytest

from attention_course.seq2seq import BahdanauDecoder, greedy_decode
from attention_course.source import show_source


def test_show_source_gives_the_package_code_as_a_python_block():
    shown = show_source(BahdanauDecoder.call).data
    assert shown.startswith("`attention_course.seq2seq.BahdanauDecoder.call`:")
    assert "```python\ndef call(self, tgt_in, state, enc_outputs, enc_mask):" in shown   # dedented
    assert shown.rstrip().endswith("```") and "ops.scan(step" in shown
    assert "def greedy_decode(step, state" in show_source(greedy_decode).data


def test_show_source_rejects_what_has_no_source():
    with pytest.raises(ValueError, match="function, method or class"):
        show_source(len)
