.PHONY: run test web lint format typecheck bench clean

run:        ## start the whole system on the embedded defaults, with the demo county
	./scripts/run.sh

test:       ## lint, type-check and run every test on the real broker and store
	./scripts/test.sh

web:        ## build and type-check the front ends (gateway/web -> dist) when their sources changed
	./scripts/web.sh typecheck

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

typecheck:
	.venv/bin/mypy services gateway tools

bench:      ## benchmarks (not tests): figures and ratios to a baseline measured in the same run
	.venv/bin/python bench/outbox_relay.py
	.venv/bin/python bench/event_pipeline.py
	.venv/bin/python bench/checkin.py
	.venv/bin/python bench/demo_load.py
	.venv/bin/python bench/memory.py
	.venv/bin/python bench/web_budget.py
	.venv/bin/python bench/kiosk_screen.py

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache
