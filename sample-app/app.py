"""Sample Flask service used by basebench: the same app as the seed article's.

Routes:
  /          JSON message, timestamp and status
  /health    liveness probe used by basebench ({"status": "healthy"})
  /external  fetches a remote JSON document; HTTP 500 with the error when it fails

numpy and pandas are in requirements.txt only to weigh the image like the article's;
the app does not use them.
"""

import os
from datetime import datetime, timezone

import requests
from flask import Flask, jsonify

EXTERNAL_URL = os.environ.get("EXTERNAL_URL", "https://httpbin.org/json")

app = Flask(__name__)


@app.route("/")
def home():
    return jsonify(
        message="Hello from Docker!",
        timestamp=datetime.now(timezone.utc).isoformat(),
        status="running",
    )


@app.route("/health")
def health():
    return jsonify(status="healthy")


@app.route("/external")
def external():
    try:
        response = requests.get(EXTERNAL_URL, timeout=5)
        response.raise_for_status()
        return jsonify(external_data=response.json(), status="success")
    except Exception as error:  # report any failure (network, TLS, HTTP, JSON) to the caller
        return jsonify(error=str(error), status="failed"), 500


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000, debug=False)
