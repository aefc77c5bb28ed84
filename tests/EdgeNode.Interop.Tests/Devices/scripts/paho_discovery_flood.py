"""The discovery flood: a bridge account (granted homeassistant/#) announces COUNT Home Assistant devices as retained
QoS 1 configs, at most 100 in flight, far beyond Devices:MaxPerBridge. Prints SENT <count> once every config is
handed to the client, ACKED <count> when every PUBACK came, then ACTIVE, and keeps deleting and announcing the same
devices again (each one a retained write and a new-device check) until the broker closes the connection; then DONE."""
import sys
import threading
import paho.mqtt.client as mqtt

host, port, user, password, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])

lock = threading.Lock()
acked = [0]
all_acked = threading.Event()
connected = threading.Event()
closed = threading.Event()

client = mqtt.Client(client_id=f"flood-{user}", protocol=mqtt.MQTTv5)
client.username_pw_set(user, password)
client.max_inflight_messages_set(100)
client.max_queued_messages_set(0)


def on_connect(c, userdata, flags, rc, properties=None):
    print("CONNACK", rc, flush=True)
    connected.set()


def on_publish(c, userdata, mid):
    with lock:
        acked[0] += 1
        if acked[0] == count:
            all_acked.set()


def on_disconnect(c, userdata, rc, properties=None):
    closed.set()


def topic(i):
    return f"homeassistant/switch/flood{i}/config"


def config(i):
    return f'{{"name":"flood{i}","unique_id":"flood{i}","command_topic":"flood/{i}/set","state_topic":"flood/{i}/state"}}'


client.on_connect = on_connect
client.on_publish = on_publish
client.on_disconnect = on_disconnect
client.connect(host, port, keepalive=60)
client.loop_start()
if not connected.wait(10):
    print("NO CONNACK", flush=True)
    sys.exit(2)

for i in range(count):
    client.publish(topic(i), config(i), qos=1, retain=True)
print("SENT", count, flush=True)
if not all_acked.wait(120):
    print("PUBACKS MISSING", acked[0], "of", count, flush=True)
    sys.exit(3)
print("ACKED", count, flush=True)
print("ACTIVE", flush=True)
i = 0
while not closed.is_set():
    n = i % count
    client.publish(topic(n), "", qos=1, retain=True)
    client.publish(topic(n), config(n), qos=1, retain=True)
    i += 1
    closed.wait(0.002)
print("DONE", flush=True)
client.loop_stop()
