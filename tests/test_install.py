"The package builds as a wheel that imports from any folder and declares its console command."
import subprocess, sys, zipfile, os

def test_wheel_installs_and_imports_elsewhere(root, tmp_path):
    r = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '-q', '-w',
                        str(tmp_path/'dist'), str(root)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (whl,) = (tmp_path/'dist').glob('probescale-*.whl')
    names = zipfile.ZipFile(whl).namelist()
    for m in ['models', 'tasks', 'features', 'probing', 'scaling', 'cli']: assert f'probescale/{m}.py' in names
    ep = zipfile.ZipFile(whl).read(next(n for n in names if n.endswith('entry_points.txt'))).decode()
    assert 'probescale = probescale.cli:main' in ep
    r = subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-deps', '-q', '--target', str(tmp_path/'site'), str(whl)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    other = tmp_path/'elsewhere'; other.mkdir()
    code = ('import probescale, probescale.models as m, probescale.features, probescale.probing, probescale.scaling, probescale.tasks; '
            'print(probescale.__file__, probescale.__version__, m.count_params(m.random_model("bert")[0]))')
    env = {**os.environ, 'PYTHONPATH': str(tmp_path/'site')}
    r = subprocess.run([sys.executable, '-c', code], cwd=other, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert str(tmp_path/'site') in r.stdout
