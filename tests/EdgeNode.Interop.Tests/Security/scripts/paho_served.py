"""One device's round trip with paho-mqtt from a chosen source address: connects (TLS when asked, trusting the
node's self-signed certificate), subscribes to its own topic, publishes to it and waits for the message. Prints
SERVED on success; REFUSED <reason> (exit 3) when the node closes the connection or answers no CONNACK."""
import ssl
import sys
import threading
import paho.mqtt.client as mqtt

host, port, user, password, source, tls = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6] == "tls"
connected = threading.Event()
received = threading.Event()
refused = []

client = mqtt.Client(client_id=f"served-{user}", protocol=mqtt.MQTTv311)
client.username_pw_set(user, password)
if tls:
    client.tls_set(cert_reqs=ssl.CERT_NONE)
    client.tls_insecure_set(True)


def on_connect(c, userdata, flags, rc):
    if rc != 0:
        refused.append(f"CONNACK {rc}")
    else:
        c.subscribe(f"tele/{user}/served", qos=1)
    connected.set()


def on_subscribe(c, userdata, mid, granted):
    c.publish(f"tele/{user}/served", "hello", qos=1)


def on_message(c, userdata, msg):
    received.set()


def on_disconnect(c, userdata, rc):
    if not connected.is_set():
        refused.append(f"closed before CONNACK ({rc})")
        connected.set()


client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.on_disconnect = on_disconnect
try:
    client.connect(host, port, keepalive=30, bind_address=source)
except OSError as e:
    print("REFUSED", e, flush=True)
    sys.exit(3)
client.loop_start()
if not connected.wait(15) or refused:
    print("REFUSED", refused[0] if refused else "no CONNACK", flush=True)
    sys.exit(3)
if not received.wait(15):
    print("NO MESSAGE", flush=True)
    sys.exit(2)
print("SERVED", flush=True)
client.disconnect()
client.loop_stop()
