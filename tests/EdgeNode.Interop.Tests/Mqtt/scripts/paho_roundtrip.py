"""Connects with paho-mqtt (3.1.1 or 5.0), subscribes to its own topics and publishes QoS 0, 1 and 2 to them;
with 5.0 it also publishes twice through a topic alias (the second time with an empty topic) and sends a
user property. Prints one line per message received: RECEIVED <topic> <qos> <payload> [user properties]."""
import sys
import threading
import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes

host, port, user, password, version = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
v5 = version == "5"
expected = 5 if v5 else 3
done = threading.Event()
subscribed = threading.Event()
received = []

client = mqtt.Client(client_id=f"paho-{user}-{version}", protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311)
client.username_pw_set(user, password)


def on_connect(c, userdata, flags, rc, properties=None):
    print("CONNACK", rc, flush=True)
    c.subscribe(f"tele/{user}/#", qos=2)


def on_subscribe(c, userdata, mid, granted, properties=None):
    print("SUBACK", [getattr(g, "value", g) for g in granted], flush=True)
    subscribed.set()


def on_message(c, userdata, msg):
    props = ""
    if v5 and msg.properties is not None and hasattr(msg.properties, "UserProperty"):
        props = " " + ",".join(f"{k}={v}" for k, v in msg.properties.UserProperty)
    print(f"RECEIVED {msg.topic} {msg.qos} {msg.payload.decode()}{props}", flush=True)
    received.append(msg.topic)
    if len(received) >= expected:
        done.set()


client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.connect(host, port, keepalive=30)
client.loop_start()
if not subscribed.wait(10):
    print("NO SUBACK", flush=True)
    sys.exit(2)

for qos in (0, 1, 2):
    client.publish(f"tele/{user}/q{qos}", f"qos{qos}", qos=qos).wait_for_publish(10)

if v5:
    props = Properties(PacketTypes.PUBLISH)
    props.TopicAlias = 1
    props.UserProperty = ("room", "kitchen")
    client.publish(f"tele/{user}/aliased", "first", qos=1, properties=props).wait_for_publish(10)
    props = Properties(PacketTypes.PUBLISH)
    props.TopicAlias = 1
    client.publish("", "second", qos=1, properties=props).wait_for_publish(10)

ok = done.wait(10)
client.disconnect()
client.loop_stop()
sys.exit(0 if ok else 1)
