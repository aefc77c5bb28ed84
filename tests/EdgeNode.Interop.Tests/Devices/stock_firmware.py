"""Plays stock firmware's connect sequence (will, subscriptions, retained and live publishes) with paho, one device
after another, from a JSON file; prints {user: {"rc": CONNACK code, "granted": [SUBACK codes], "published": n}}."""
import json
import sys
import threading
import paho.mqtt.client as mqtt

host, port, spec_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
result = {}
for device in json.load(open(spec_file)):
    done = threading.Event()
    state = {"rc": None, "granted": [], "published": 0}
    client = mqtt.Client(client_id=device["client_id"], clean_session=True, protocol=mqtt.MQTTv311)
    client.username_pw_set(device["user"], device["password"])
    will = device["will"]
    client.will_set(will[0], will[1], qos=1, retain=will[2])

    def on_connect(c, u, flags, rc):
        state["rc"] = rc
        if rc != 0:
            done.set()
            return
        if device["subscribe"]:
            c.subscribe([(f, 1) for f in device["subscribe"]])
        else:
            publish_all(c)

    def publish_all(c):
        infos = [c.publish(t, p, qos=1, retain=r) for t, p, r in device["publish"]]
        for info in infos:
            info.wait_for_publish(10)
        state["published"] = sum(1 for i in infos if i.is_published())
        done.set()

    def on_subscribe(c, u, mid, granted):
        state["granted"] = list(granted)
        threading.Thread(target=publish_all, args=(c,)).start()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.connect(host, port, keepalive=60)
    client.loop_start()
    done.wait(20)
    client.disconnect()
    client.loop_stop()
    result[device["user"]] = state
print(json.dumps(result), flush=True)
