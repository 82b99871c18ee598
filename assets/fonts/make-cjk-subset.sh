#!/bin/sh
# Rebuilds assets/fonts/NotoSansCJKsc-GB2312.otf, the CJK font that charts fall back to for
# labels the Latin font (DejaVu Sans) cannot draw (see src/plot/style.rs).
#
# Source: Noto Sans CJK SC Regular 2.004 (SIL Open Font License 1.1, no Reserved Font Name;
# licence text in LICENSE-NotoSansCJK.txt), face 2 of NotoSansCJK-Regular.ttc in Debian's
# package fonts-noto-cjk (1:20220127+repack1-1, bookworm).
#
# Character list: every character of GB2312 (GB/T 2312-1980: 6,763 hanzi, the 682 symbols
# of rows 1-9: CJK punctuation, full-width forms, kana, Greek, Cyrillic, pinyin letters, box
# drawing), enumerated by decoding every double-byte code with Python's standard 'gb2312'
# codec; plus printable ASCII, Latin-1, Latin Extended-A, General Punctuation, arrows,
# mathematical operators (≥ ≤ ≈) and the CJK punctuation and full-width blocks whole, so that
# a label drawn entirely in this font (one that holds Chinese) keeps its digits, letters and
# symbols. Characters the font lacks are skipped.
#
# Hinting and OpenType layout features are dropped: the rasteriser charts use (ab_glyph)
# reads neither. Needs pyftsubset (PyPI: fonttools; made with 4.68.0).
#
#   apt-get install fonts-noto-cjk && pip install fonttools
#   sh assets/fonts/make-cjk-subset.sh [path/to/NotoSansCJK-Regular.ttc]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
list=$(mktemp)
trap 'rm -f "$list"' EXIT

python3 - "$list" <<'EOF'
import sys
chars = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
assert len(chars) == 7445, len(chars)
ranges = [(0x20, 0x7E), (0xA0, 0x17F), (0x2000, 0x206F), (0x2190, 0x21FF),
          (0x2200, 0x22FF), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
for lo, hi in ranges:
    chars.update(chr(c) for c in range(lo, hi + 1))
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("".join(sorted(chars)))
EOF

pyftsubset "$src" --font-number=2 \
    --text-file="$list" \
    --layout-features='' \
    --no-hinting \
    --name-IDs='*' --name-languages='*' \
    --notdef-outline \
    --output-file="$here/NotoSansCJKsc-GB2312.otf"
ls -l "$here/NotoSansCJKsc-GB2312.otf"
