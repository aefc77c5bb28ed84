"""Connects with a will (and, for 5.0, a will delay) and then waits to be killed."""
import sys
import time
import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes

host, port, user, password, version, topic = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
v5 = version == "5"
client = mqtt.Client(client_id=f"will-{user}", protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311)
client.username_pw_set(user, password)
will_props = None
if v5:
    will_props = Properties(PacketTypes.WILLMESSAGE)
    will_props.WillDelayInterval = 1
client.will_set(topic, "offline", qos=1, retain=False, properties=will_props)
client.on_connect = lambda c, u, f, rc, p=None: print("CONNECTED", "ok" if rc == 0 else rc, flush=True)
client.connect(host, port, keepalive=60)
client.loop_forever()
