"The exported library, the README and the Quarto config must agree with the notebooks."
import shutil, subprocess, sys, filecmp
from pathlib import Path

def test_library_matches_notebooks(root, tmp_path):
    shutil.copy(root/'settings.ini', tmp_path/'settings.ini')
    shutil.copytree(root/'nbs', tmp_path/'nbs', symlinks=True, ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    r = subprocess.run(['nbdev_export'], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    fresh = sorted(p.relative_to(tmp_path/'probescale') for p in (tmp_path/'probescale').rglob('*.py'))
    ours = sorted(p.relative_to(root/'probescale') for p in (root/'probescale').rglob('*.py'))
    assert fresh == ours, f'modules differ: exported {fresh}, committed {ours}'
    stale = [str(p) for p in fresh if (tmp_path/'probescale'/p).read_text() != (root/'probescale'/p).read_text()]
    assert not stale, f'probescale/ is out of date with the notebooks for {stale}: run nbdev_export and commit both'

def test_readme_matches_index(root):
    r = subprocess.run([sys.executable, str(root/'.ci'/'make_readme.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

def test_quarto_config_is_shared(root):
    link = root/'nbs'/'_quarto.yml'
    assert link.is_symlink() and link.resolve() == (root/'_quarto.yml').resolve()

def test_notebooks_are_clean(root, tmp_path):
    "Notebooks are committed as `nbdev_clean` leaves them, and with their executed outputs."
    import json
    shutil.copy(root/'settings.ini', tmp_path/'settings.ini')
    shutil.copytree(root/'nbs', tmp_path/'nbs', symlinks=True, ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    r = subprocess.run(['nbdev_clean'], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    nbs = [nb for nb in (root/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in nb.parts]
    dirty = [str(nb.relative_to(root)) for nb in nbs
             if json.loads(nb.read_text()) != json.loads((tmp_path/nb.relative_to(root)).read_text())]
    assert not dirty, f'run nbdev_clean on {dirty} and commit them'
    for nb in nbs:
        codes = [c for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code']
        assert codes and any(c.get('outputs') for c in codes), f'{nb.name} has no executed outputs'

def test_readme_renders_markdown_outputs(root, tmp_path):
    "A cell that displays a Markdown table (text/markdown beside text/plain) is rendered as the table, not as its repr."
    import json, importlib.util
    spec = importlib.util.spec_from_file_location('make_readme', root/'.ci'/'make_readme.py')
    mr = importlib.util.module_from_spec(spec); spec.loader.exec_module(mr)
    nb = {'cells': [{'cell_type': 'code', 'source': ['#| echo: false\n', 'Markdown(t)'], 'metadata': {}, 'outputs': [
        {'output_type': 'execute_result', 'data': {'text/markdown': ['| a |\n|---|\n| 1 |'], 'text/plain': ['<IPython.core.display.Markdown object>']}}]}]}
    (tmp_path/'index.ipynb').write_text(json.dumps(nb))
    text = mr.render(tmp_path/'index.ipynb')
    assert '| a |' in text and 'IPython.core.display' not in text
    assert 'IPython.core.display' not in (root/'README.md').read_text()
