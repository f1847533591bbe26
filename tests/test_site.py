"""Build the docs site offline (nbdev_proc_nbs, then smalldocs render) and check it in a real headless Chromium:
every page loads without errors, the navigation is there, and the figures the notebooks embed are displayed."""
import functools, http.server, json, shutil, subprocess, sys, threading
from pathlib import Path
import pytest

CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
# pages and the least number of figures each must display
EXPECTED = {'index.html': 0, '00_io.html': 0, '00_models.html': 2, '01_tasks.html': 3, '01b_gold.html': 1, '01c_downstream.html': 0,
            '02_features.html': 2, '03_probing.html': 2, '05_scaling.html': 4, '06_relevance.html': 2, '07_pruning.html': 2,
            '08_baselines.html': 2, '09_export.html': 0, '10_evaluation.html': 1, '10b_recovery.html': 0, '11_family.html': 2,
            '11a_readout.html': 0, '11b_designs.html': 0, '11c_stats.html': 0, '11d_certificate.html': 0, '11e_comparisons.html': 0,
            '11f_report.html': 1, '12_pipeline.html': 0, '13_cli.html': 0,
            '14_distributed.html': 0, 'benchmarks/features_overhead.html': 0, 'benchmarks/probing_speed.html': 0,
            'benchmarks/pruning_speed.html': 1, 'benchmarks/distributed_speed.html': 1,
            'benchmarks/method.html': 1, 'benchmarks/headline.html': 2, 'benchmarks/recovery.html': 0}

@pytest.fixture(scope='module')
def site(root):
    # nbdev_proc_nbs, minus its attempt to install Quarto with sudo (which fails offline and then pip-installs the
    # package again): the notebook processing itself is nbdev's own
    proc = 'import nbdev.quarto as q; q._ensure_quarto = lambda: None; q.nbdev_proc_nbs.__wrapped__(force=True)'
    for cmd in ([sys.executable, '-c', proc], ['smalldocs', 'render', '_proc'], [sys.executable, '.ci/offline_katex.py', '_proc/_docs']):
        r = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
        assert r.returncode == 0, f'{cmd} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    docs = root/'_proc'/'_docs'
    assert (docs/'index.html').exists()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(docs))
    class Quiet(handler.func):
        def log_message(self, *a): pass
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=str(docs)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield docs, f'http://127.0.0.1:{srv.server_port}/'
    srv.shutdown()

@pytest.fixture(scope='module')
def browser():
    from playwright.sync_api import sync_playwright
    assert Path(CHROMIUM).exists(), 'Chromium is needed for the site test: apt-get install chromium'
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
            '--no-first-run', '--disable-sync', '--disable-quic'])
        yield b
        b.close()

def test_every_notebook_has_a_page(site, root):
    docs, _ = site
    nbs = [p.relative_to(root/'nbs').with_suffix('.html') for p in (root/'nbs').rglob('*.ipynb')
           if not p.name.startswith('_') and '.ipynb_checkpoints' not in p.parts]
    missing = [str(p) for p in nbs if not (docs/p).exists()]
    assert not missing, f'pages missing from the site: {missing}'
    assert set(EXPECTED) <= {str(p) for p in nbs}

@pytest.mark.parametrize('page', list(EXPECTED))
def test_page_loads_and_shows_figures(site, browser, page):
    docs, url = site
    pg = browser.new_page(viewport={'width': 1200, 'height': 1400})
    errors, failed, external = [], [], []
    local = lambda u: u.startswith(url)
    # this machine has no internet: the published site's CDN fonts cannot load here, and only those (requests to
    # other hosts) are let through; anything of our own that fails to load is an error. KaTeX is served by the site
    # itself (.ci/offline_katex.py), so every formula must be rendered: no raw \( or \[ delimiters are left
    def on_console(m):
        if m.type != 'error': return
        if m.text.startswith('Failed to load resource') and not local(m.location.get('url', url)): return
        errors.append(f"{m.text} ({m.location.get('url')})")
    pg.on('pageerror', lambda e: errors.append(str(e)))
    pg.on('console', on_console)
    pg.on('requestfailed', lambda r: (failed if local(r.url) else external).append(r.url))
    pg.on('response', lambda r: failed.append(f'{r.status} {r.url}') if r.status >= 400 else None)
    resp = pg.goto(url + page, wait_until='load')
    assert resp.status == 200
    pg.wait_for_load_state('networkidle')
    assert not errors, f'{page}: errors in the browser console: {errors}'
    assert not failed, f'{page}: requests that failed: {failed}'
    assert all(not local(u) for u in external)
    text = pg.locator('body').inner_text()
    raw = [d for d in ('\\(', '\\[') if d in text]
    assert not raw, f'{page}: formulas left unrendered (raw {raw} in the text)'
    title = pg.locator('h1').first.inner_text()
    assert title.strip(), f'{page} has no title'
    assert pg.locator('nav a').count() > 3, f'{page} has no navigation'
    imgs = pg.evaluate("""() => Array.from(document.querySelectorAll('main img, #quarto-document-content img, img'))
        .filter(i => i.src.startsWith('data:image') || i.src.endsWith('.png'))
        .map(i => ({w: i.naturalWidth, h: i.naturalHeight, shown: i.getBoundingClientRect().width}))""")
    shown = [i for i in imgs if i['w'] > 50 and i['h'] > 50 and i['shown'] > 50]
    assert len(shown) >= EXPECTED[page], f'{page}: {len(shown)} figures displayed, expected at least {EXPECTED[page]}: {imgs}'
    pg.close()

def test_search_index_lists_pages(site):
    docs, _ = site
    idx = json.loads((docs/'search.json').read_text())
    hrefs = {e.get('href', '').split('#')[0] for e in idx}
    assert {'00_models.html', '02_features.html', '03_probing.html', '05_scaling.html'} <= hrefs
