# The Concierge app image (production). The LLM runs in the vllm service, not here.
FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
COPY pyproject.toml requirements.lock README.md LICENSE ./
COPY agent agent
COPY retrieval retrieval
COPY tools tools
COPY privacy privacy
COPY server server
COPY eval eval
COPY web_widget web_widget
# torch pinned first (point pip at a CPU-only wheel index for a smaller image). The project is
# installed in place (editable), as in a checkout: the code finds web_widget/, the NLU model, the
# demo store and the migrations next to itself (paths from __file__), which a wheel would leave out.
RUN pip install torch==2.13.0 \
 && pip install -c requirements.lock -e .
EXPOSE 8000
CMD ["concierge", "serve", "--host", "0.0.0.0", "--port", "8000"]
