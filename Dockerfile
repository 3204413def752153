# The Concierge app image (production). The LLM runs in the vllm service, not here.
FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
COPY pyproject.toml requirements.lock README.md ./
COPY agent agent
COPY retrieval retrieval
COPY tools tools
COPY privacy privacy
COPY server server
COPY eval eval
COPY web_widget web_widget
# torch pinned first (point pip at a CPU-only wheel index for a smaller image).
RUN pip install torch==2.13.0 \
 && pip install -c requirements.lock .
EXPOSE 8000
CMD ["concierge", "serve", "--host", "0.0.0.0", "--port", "8000"]
