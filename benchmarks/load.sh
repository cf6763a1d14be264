#!/usr/bin/env bash
# Load on loopback: gunicorn serving the registry on PostgreSQL (the demo data), wrk driving three
# endpoints. Prints requests per second, p50/p95/p99 latency and errors. Needs Debian's wrk.
#   bash benchmarks/load.sh            (DURATION=20 CONNECTIONS=16 WORKERS=4 to change)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${PORT:-8021}
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-16}
WORKERS=${WORKERS:-4}
export DATABASE_URL=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/registry_load}
export SECRET_KEY=load-test-secret-key-not-for-production-0123456789abcdef
export ALLOWED_HOSTS=127.0.0.1 DEBUG=false SECURE_COOKIES=false CONN_MAX_AGE=60
unset CELERY_BROKER_URL
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='registry_load'" \
    | grep -q 1 || createdb -h 127.0.0.1 -U postgres registry_load
$PY manage.py demo --password load-test-pw >/dev/null 2>&1
LOAD_TOKEN=$($PY manage.py create_api_token --user demo --name load --days 1 2>/dev/null)
export LOAD_TOKEN
ASSET=$($PY manage.py shell -c "from inventory.models import Asset; print(Asset.objects.first().pk)" 2>/dev/null | tail -n 1)
.venv/bin/gunicorn config.wsgi --bind 127.0.0.1:$PORT --workers "$WORKERS" --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health/" >/dev/null && break; sleep 0.2; done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; gunicorn $WORKERS workers; wrk $CONNECTIONS connections, ${DURATION}s each"
for path in "/api/v1/assets/?page_size=50" "/api/v1/coverage/KE/" \
            "/api/v1/manifests/demo-open-corpora/versions/latest/?format=jsonl" \
            "/api/v1/assets/$ASSET/"; do
    result=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s benchmarks/load.lua "http://127.0.0.1:$PORT$path" | grep RESULT)
    echo "$path  ${result#RESULT }"
done
