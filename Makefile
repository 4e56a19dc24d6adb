# The two set-up commands of the README.
.PHONY: lab test bench

lab:  ## install what changed, start JupyterLab with the embedded Vertex on workspace/ (a git repo of the examples)
	bash scripts/lab.sh

test: ## install what the tests need (Chromium included) and run all of them
	bash scripts/test.sh

bench: ## run the benchmarks of docs/performance.md (installs wrk and MLflow in its own venv)
	bash benchmarks/run.sh all
