"""How editors' paragraphs look in the HTML of a government CMS page: one home for the looks the
generated-page tests (test_segment_property.py, test_editor_layouts_generated.py) dress text in."""

from __future__ import annotations

LOOKS = ("bold", "span", "h3", "centre", "word", "plain")


def styled(text: str, look: str) -> str:
    """`text` as one paragraph in `look`: bold, a Word 黑体 span, an h3, centred bold, a Word body
    span (仿宋, &nbsp; indent) or plain with \\u3000 indents."""
    if look == "bold":
        return f"<p style='text-indent:2em'><strong><span style='font-size:16pt'>{text}</span></strong></p>"
    if look == "span":
        return f"<p class=MsoNormal><span style='font-size:16.0pt;font-family:黑体'>{text}</span></p>"
    if look == "h3":
        return f"<h3>{text}</h3>"
    if look == "centre":
        return f"<p style='text-align:center'><b>{text}</b></p>"
    if look == "word":
        return f"<p class=MsoNormal style='text-indent:32pt'><span style='font-family:仿宋_GB2312'>&nbsp;&nbsp;{text}</span></p>"
    return f"<p>\u3000\u3000{text}</p>"
