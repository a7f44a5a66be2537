"""Copy the example review's forest plot and PRISMA diagram into docs/images for the README.

Run after `make run`: `python tools/readme_images.py`.  Images are scaled to 1600 px wide
(PNG, optimised) so the repository stays small.
"""

from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
IMAGES = {
    "results/figures/outcomes/personal_recovery/post.cc.forest.png": "forest_personal_recovery.png",
    "results/figures/prisma/prisma.png": "prisma.png",
}

for src, dest in IMAGES.items():
    with Image.open(REPO / src) as img:
        width = min(1600, img.width)
        scaled = img.resize((width, round(img.height * width / img.width)), Image.LANCZOS)
        scaled = scaled.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
        scaled.save(REPO / "docs" / "images" / dest, optimize=True)
        print(f"{src} -> docs/images/{dest} ({width} px)")
