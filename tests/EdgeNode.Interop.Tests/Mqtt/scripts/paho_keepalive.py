"""Connects with paho-mqtt 5.0 asking for the given keep-alive and prints what the CONNACK says:
SERVER_KEEPALIVE <seconds>, or SERVER_KEEPALIVE none when the broker accepted the client's own value."""
import sys
import threading
import paho.mqtt.client as mqtt

host, port, user, password, keepalive = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
connected = threading.Event()
client = mqtt.Client(client_id=f"keepalive-{user}", protocol=mqtt.MQTTv5)
client.username_pw_set(user, password)


def on_connect(c, userdata, flags, rc, properties=None):
    told = getattr(properties, "ServerKeepAlive", None) if properties is not None else None
    print("CONNACK", rc, flush=True)
    print("SERVER_KEEPALIVE", "none" if told is None else told, flush=True)
    connected.set()


client.on_connect = on_connect
client.connect(host, port, keepalive=keepalive)
client.loop_start()
ok = connected.wait(10)
client.disconnect()
client.loop_stop()
sys.exit(0 if ok else 2)
