"Every notebook runs top to bottom (nbdev_test): their cells are the library's reference tests."
import subprocess

def test_nbdev_test(root):
    r = subprocess.run(['nbdev_test', '--n_workers', '2', '--do_print', '--timing'], cwd=root, capture_output=True, text=True)
    assert r.returncode == 0, f'nbdev_test failed:\n{r.stdout[-6000:]}\n{r.stderr[-12000:]}'
