"""The subscription bomb: one device on a persistent session sends COUNT subscriptions, PER_PACKET filters to a
SUBSCRIBE, all at once (then prints SENT <packets>), and waits for every SUBACK. Prints GRANTED <n>,
REFUSED <code> <n> and SECONDS <elapsed>.
With 'forever' it then keeps re-sending SUBSCRIBE packets until the broker closes the connection (a client still
active when the node stops) and prints DONE when it does."""
import sys
import threading
import time
import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes

host, port, user, password, version = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
count, per_packet = int(sys.argv[6]), int(sys.argv[7])
forever = len(sys.argv) > 8 and sys.argv[8] == "forever"
v5 = version == 5

lock = threading.Lock()
codes = {}
acked = [0]
all_acked = threading.Event()
connected = threading.Event()
closed = threading.Event()
packets = (count + per_packet - 1) // per_packet

if v5:
    client = mqtt.Client(client_id=f"bomb-{user}", protocol=mqtt.MQTTv5)
else:
    client = mqtt.Client(client_id=f"bomb-{user}", protocol=mqtt.MQTTv311, clean_session=False)
client.username_pw_set(user, password)


def on_connect(c, userdata, flags, rc, properties=None):
    print("CONNACK", rc, flush=True)
    connected.set()


def on_subscribe(c, userdata, mid, granted, properties=None):
    with lock:
        for g in granted:
            code = g.value if hasattr(g, "value") else g
            codes[code] = codes.get(code, 0) + 1
        acked[0] += 1
        if acked[0] == packets:
            all_acked.set()


def on_disconnect(c, userdata, rc, properties=None):
    closed.set()


client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_disconnect = on_disconnect
if v5:
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 3600
    client.connect(host, port, keepalive=60, clean_start=False, properties=props)
else:
    client.connect(host, port, keepalive=60)
client.loop_start()
if not connected.wait(10):
    print("NO CONNACK", flush=True)
    sys.exit(2)

filters = [f"cmnd/{user}/f{i}" for i in range(count)]
start = time.monotonic()
for i in range(0, count, per_packet):
    client.subscribe([(f, 1) for f in filters[i:i + per_packet]])
print("SENT", packets, flush=True)
ok = all_acked.wait(120)
elapsed = time.monotonic() - start
granted = sum(n for code, n in codes.items() if code < 0x80)
print("GRANTED", granted, flush=True)
for code, n in sorted(codes.items()):
    if code >= 0x80:
        print("REFUSED", code, n, flush=True)
print("SECONDS", round(elapsed, 2), flush=True)
if not ok:
    print("SUBACKS MISSING", acked[0], "of", packets, flush=True)
    sys.exit(3)

if forever:
    print("ACTIVE", flush=True)
    i = 0
    while not closed.is_set():
        client.subscribe([(f, 1) for f in filters[i % count:i % count + per_packet]])
        i += per_packet
        closed.wait(0.01)
    print("DONE", flush=True)
    client.loop_stop()
    sys.exit(0)

client.disconnect()
client.loop_stop()
