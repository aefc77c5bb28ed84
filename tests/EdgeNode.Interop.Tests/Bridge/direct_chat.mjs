// bob in matrix-js-sdk 37.5.0 talking to XMPP people of the same node (carol and alice in aioxmpp, direct_aioxmpp.py):
// bob opens a direct chat with @carol and waits for her answer in that room; then alice writes to him first from XMPP,
// he joins her direct-room invite and answers. Prints one JSON line of what he saw; exits 1 on failure.
//   node direct_chat.mjs SDK_FOLDER BASE_URL DOMAIN PASSWORD
import path from "node:path";
import { pathToFileURL } from "node:url";

const [sdkFolder, baseUrl, domain, password] = process.argv.slice(2);
// The SDK is installed once, in the Matrix tests' folder (test.sh runs `npm ci` there).
const sdk = await import(pathToFileURL(path.join(sdkFolder, "node_modules", "matrix-js-sdk", "lib", "index.js")).href);
const { logger } = await import(pathToFileURL(path.join(sdkFolder, "node_modules", "matrix-js-sdk", "lib", "logger.js")).href);
logger.setLevel("error");
const timeoutMs = 60000;
const result = {};

function fail(message) {
  console.log(JSON.stringify(result));
  console.error("FAIL " + message);
  process.exit(1);
}

function waitFor(client, eventName, check, what) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => fail("timed out waiting for " + what), timeoutMs);
    const handler = (...args) => {
      let done = false;
      try { done = check(...args); } catch (e) { fail(what + ": " + e); }
      if (done) {
        clearTimeout(timer);
        client.off(eventName, handler);
        resolve(args);
      }
    };
    client.on(eventName, handler);
  });
}

function message(client, body, what) {
  return waitFor(client, sdk.RoomEvent.Timeline, (event) =>
    event.getType() === "m.room.message" && event.getContent().body === body, what);
}

try {
  const anonymous = sdk.createClient({ baseUrl });
  const login = await anonymous.loginRequest({ type: "m.login.password", identifier: { type: "m.id.user", user: "bob" }, password });
  const bob = sdk.createClient({ baseUrl, accessToken: login.access_token, userId: login.user_id, deviceId: login.device_id });
  const prepared = waitFor(bob, sdk.ClientEvent.Sync, (state) => state === "PREPARED", "bob's initial sync");
  await bob.startClient({ initialSyncLimit: 20 });
  await prepared;

  // bob starts: a direct chat with carol, as Element opens one (is_direct, then m.direct).
  const carol = `@carol:${domain}`;
  const { room_id: room } = await bob.createRoom({ preset: "trusted_private_chat", is_direct: true, invite: [carol] });
  await bob.setAccountData("m.direct", { [carol]: [room] });
  result.room = room;
  const answer = message(bob, "hello bob, from aioxmpp carol", "carol's answer");
  // alice writes as soon as carol answered: her invite may come in the same sync, so it is awaited from now on.
  const alice = `@alice:${domain}`;
  const invite = waitFor(bob, sdk.RoomEvent.MyMembership, (r, membership) =>
    membership === "invite" && r.getMember(bob.getUserId())?.events.member?.getSender() === alice, "alice's invite");
  result.sent = (await bob.sendTextMessage(room, "hello carol, from matrix-js-sdk")).event_id;
  const [answerEvent, answerRoom] = await answer;
  result.answer = { sender: answerEvent.getSender(), room: answerRoom?.roomId, type: answerEvent.getContent().msgtype };

  // alice starts from XMPP: an invite to a direct room from @alice, then her message in it.
  const [invited] = await invite;
  const inviteEvent = invited.getMember(bob.getUserId()).events.member;
  result.invite = { room: invited.roomId, sender: inviteEvent.getSender(), is_direct: inviteEvent.getContent().is_direct === true };
  const first = message(bob, "hello bob, from aioxmpp alice", "alice's message");
  await bob.joinRoom(invited.roomId);
  const [firstEvent, firstRoom] = await first;
  result.first = { sender: firstEvent.getSender(), room: firstRoom?.roomId, type: firstEvent.getContent().msgtype };
  result.reply = (await bob.sendTextMessage(invited.roomId, "hello alice, from matrix-js-sdk")).event_id;
  bob.stopClient();
  console.log(JSON.stringify(result));
  process.exit(0);
} catch (e) {
  fail(e?.stack ?? String(e));
}
