"""Screenshots for the review: golden vs new, a pixelmatch diff image and the ratio of changed pixels.

``pixelmatch`` is pure Python (a few µs per pixel), so the comparison runs on downscaled copies:
both screenshots are scaled by the same factor so the wider is at most :data:`COMPARE_WIDTH` px wide
and the padded canvas holds at most :data:`MAX_COMPARE_PIXELS` pixels (never upscaled). The two are
then padded to a common canvas (the shorter page with :data:`PAD_COLOR`, so a page that grew or shrank
shows as changed rows) and compared; only the bounding box of the pixels that differ at all goes
through pixelmatch (identical pixels cannot count). The ratio is changed pixels / canvas pixels, at
that scale. The golden and new screenshots themselves are embedded at most :data:`DISPLAY_WIDTH` px
wide as JPEG, the diff image as PNG, so a report stays a few hundred kB per failing page.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageOps

COMPARE_WIDTH = 400
MAX_COMPARE_PIXELS = 800_000
DISPLAY_WIDTH = 640
PAD_COLOR = (255, 0, 255, 255)
#: pixelmatch's per-pixel colour threshold (its default): anti-aliasing noise below it is ignored.
THRESHOLD = 0.1


@dataclass
class PixelDiff:
    golden_uri: str
    new_uri: str
    diff_uri: str
    changed: int
    total: int
    golden_size: tuple[int, int]
    new_size: tuple[int, int]
    compare_size: tuple[int, int]
    scale: float

    @property
    def ratio(self) -> float:
        return self.changed / self.total if self.total else 0.0


def data_uri(img: Image.Image, fmt: str = "PNG") -> str:
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(buf, "JPEG", quality=75, optimize=True)
        mime = "image/jpeg"
    else:
        img.save(buf, "PNG", optimize=True)
        mime = "image/png"
    return f"data:{mime};base64,{base64.b64encode(buf.getvalue()).decode('ascii')}"


def _scaled(img: Image.Image, scale: float) -> Image.Image:
    if scale >= 1:
        return img
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img.resize(size, Image.Resampling.LANCZOS)


def _display(img: Image.Image) -> str:
    return data_uri(_scaled(img, min(1.0, DISPLAY_WIDTH / img.width)), "JPEG")


def _faded(img: Image.Image, alpha: float = 0.1) -> Image.Image:
    """pixelmatch's background for unchanged pixels: the first image in grey, blended towards white."""
    gray = ImageOps.grayscale(img.convert("RGB")).point(lambda v: round(255 + (v - 255) * alpha))
    return Image.merge("RGBA", (gray, gray, gray, Image.new("L", img.size, 255)))


def compare_scale(golden: tuple[int, int], new: tuple[int, int]) -> float:
    width, height = max(golden[0], new[0]), max(golden[1], new[1])
    return min(1.0, COMPARE_WIDTH / width, math.sqrt(MAX_COMPARE_PIXELS / (width * height)))


def pixel_diff(golden_png: bytes, new_png: bytes) -> PixelDiff:
    """Compare two screenshots (PNG bytes); raises ``OSError``/``ValueError`` on an unreadable image."""
    from pixelmatch.contrib.PIL import pixelmatch

    golden = Image.open(io.BytesIO(golden_png)).convert("RGBA")
    new = Image.open(io.BytesIO(new_png)).convert("RGBA")
    scale = compare_scale(golden.size, new.size)
    g, n = _scaled(golden, scale), _scaled(new, scale)
    size = (max(g.width, n.width), max(g.height, n.height))
    canvas_g, canvas_n = Image.new("RGBA", size, PAD_COLOR), Image.new("RGBA", size, PAD_COLOR)
    canvas_g.paste(g, (0, 0))
    canvas_n.paste(n, (0, 0))
    out = _faded(canvas_g)
    changed = 0
    box = ImageChops.difference(canvas_g.convert("RGB"), canvas_n.convert("RGB")).getbbox()
    if box is not None:
        margin = 2  # pixelmatch's anti-aliasing test looks at neighbours
        box = (max(0, box[0] - margin), max(0, box[1] - margin),
               min(size[0], box[2] + margin), min(size[1], box[3] + margin))
        crop_out = Image.new("RGBA", (box[2] - box[0], box[3] - box[1]))
        changed = pixelmatch(canvas_g.crop(box), canvas_n.crop(box), crop_out, threshold=THRESHOLD)
        out.paste(crop_out, box[:2])
    return PixelDiff(golden_uri=_display(golden), new_uri=_display(new), diff_uri=data_uri(out),
                     changed=changed, total=size[0] * size[1], golden_size=golden.size, new_size=new.size,
                     compare_size=size, scale=scale)
