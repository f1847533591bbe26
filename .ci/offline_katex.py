"""Serve KaTeX from the docs site itself, so that its formulas render offline.

`smalldocs render` (like Quarto) links KaTeX from a CDN. This copies the vendored KaTeX 0.16.11 (`.ci/katex`: the
minified script, its auto-render extension, its CSS and woff2 fonts; MIT licence) into `<docs>/site_libs/katex` and
points every page at it with a path relative to the page. Run it after `smalldocs render _proc`:

    python .ci/offline_katex.py _proc/_docs
"""
import re, shutil, sys
from pathlib import Path

CDN = re.compile(r'https://cdn\.jsdelivr\.net/npm/katex@[0-9.]+/dist')

def vendor_katex(docs)->int: # the number of pages changed
    docs = Path(docs)
    if not (docs/'index.html').exists(): raise SystemExit(f'{docs} is not a built site (no index.html): build it first.')
    dest = docs/'site_libs'/'katex'
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(Path(__file__).resolve().parent/'katex', dest)
    n = 0
    for page in docs.rglob('*.html'):
        text = page.read_text(encoding='utf-8')
        if not CDN.search(text): continue
        rel = '../' * (len(page.relative_to(docs).parts) - 1) + 'site_libs/katex'
        page.write_text(CDN.sub(rel, text), encoding='utf-8'); n += 1
    return n

if __name__ == '__main__':
    print(f'KaTeX served from the site on {vendor_katex(sys.argv[1] if len(sys.argv) > 1 else "_proc/_docs")} pages')
