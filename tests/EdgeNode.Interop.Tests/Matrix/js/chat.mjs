// Drives two matrix-js-sdk clients (alice and bob) against an EdgeNode: login, room, invite, join, messages both
// ways, typing, read receipts, presence, redaction and pagination. Prints "ok <step>" per step; exits 1 on failure.
import * as sdk from "matrix-js-sdk";
import { logger } from "matrix-js-sdk/lib/logger.js";

logger.setLevel("error");
const [baseUrl, password] = process.argv.slice(2);
const timeoutMs = 20000;

function fail(message) {
  console.error("FAIL " + message);
  process.exit(1);
}

function ok(step) {
  console.log("ok " + step);
}

// Resolves when check(...args) is true for an emitted event, fails the run after the timeout.
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

async function login(user) {
  const anonymous = sdk.createClient({ baseUrl });
  const res = await anonymous.loginRequest({ type: "m.login.password", identifier: { type: "m.id.user", user }, password });
  const client = sdk.createClient({ baseUrl, accessToken: res.access_token, userId: res.user_id, deviceId: res.device_id });
  const prepared = waitFor(client, sdk.ClientEvent.Sync, (state) => state === "PREPARED", user + " initial sync");
  await client.startClient({ initialSyncLimit: 20 });
  await prepared;
  return client;
}

function timelineText(client, roomId, text) {
  return waitFor(client, sdk.RoomEvent.Timeline, (event, room) =>
    room?.roomId === roomId && event.getType() === "m.room.message" && event.getContent().body === text, "message '" + text + "'");
}

try {
  const alice = await login("alice");
  const bob = await login("bob");
  ok("login");

  const bobInvited = waitFor(bob, sdk.RoomEvent.MyMembership, (room, membership) => membership === "invite", "bob's invite");
  const { room_id: roomId } = await alice.createRoom({ preset: "private_chat", name: "js-sdk room", invite: [bob.getUserId()] });
  await bobInvited;
  ok("invite");

  const aliceSeesJoin = waitFor(alice, sdk.RoomStateEvent.Members, (event, state, member) =>
    member.userId === bob.getUserId() && member.membership === "join", "bob's join at alice");
  await bob.joinRoom(roomId);
  await aliceSeesJoin;
  ok("join");

  let seen = timelineText(bob, roomId, "hello bob");
  await alice.sendTextMessage(roomId, "hello bob");
  await seen;
  seen = timelineText(alice, roomId, "hello alice");
  const bobMessage = await bob.sendTextMessage(roomId, "hello alice");
  const [aliceCopy] = await seen;
  if (aliceCopy.getId() !== bobMessage.event_id) fail("alice saw a different event id for bob's message");
  ok("messages");

  const typing = waitFor(alice, sdk.RoomMemberEvent.Typing, (event, member) => member.userId === bob.getUserId() && member.typing, "bob typing");
  await bob.sendTyping(roomId, true, 10000);
  await typing;
  ok("typing");

  const receipt = waitFor(bob, sdk.RoomEvent.Receipt, (event) => {
    const content = event.getContent()[bobMessage.event_id];
    return content?.["m.read"]?.[alice.getUserId()] !== undefined;
  }, "alice's read receipt at bob");
  await alice.sendReadReceipt(aliceCopy);
  await receipt;
  ok("receipt");

  const presence = waitFor(alice, sdk.UserEvent.Presence, (event, user) =>
    user?.userId === bob.getUserId() && user.presence === "unavailable" && user.presenceStatusMsg === "in a meeting", "bob's presence");
  await bob.setPresence({ presence: "unavailable", status_msg: "in a meeting" });
  await presence;
  ok("presence");

  seen = timelineText(bob, roomId, "a secret");
  const secret = await alice.sendTextMessage(roomId, "a secret");
  await seen;
  const redacted = waitFor(bob, sdk.RoomEvent.Redaction, (event) => event.event.redacts === secret.event_id || event.getContent().redacts === secret.event_id, "the redaction at bob");
  await alice.redactEvent(roomId, secret.event_id, undefined, { reason: "oops" });
  await redacted;
  const fetched = await bob.fetchRoomEvent(roomId, secret.event_id);
  if (fetched.content.body !== undefined) fail("the redacted event still has its body: " + JSON.stringify(fetched.content));
  if (!fetched.unsigned?.redacted_because) fail("the redacted event has no redacted_because");
  ok("redaction");

  for (let i = 0; i < 25; i++) await alice.sendTextMessage(roomId, "n" + i);
  const backwards = [];
  let from = null;
  for (let page = 0; page < 20; page++) {
    const res = await bob.createMessagesRequest(roomId, from, 7, sdk.Direction.Backward);
    for (const e of res.chunk) if (e.type === "m.room.message" && e.content.body?.startsWith("n")) backwards.push(e.content.body);
    if (!res.end) break;
    from = res.end;
  }
  const expected = Array.from({ length: 25 }, (_, i) => "n" + i);
  if (JSON.stringify(backwards.slice().reverse()) !== JSON.stringify(expected)) fail("backward pagination out of order: " + backwards.join(","));
  const forwards = [];
  from = null;
  for (let page = 0; page < 20; page++) {
    const res = await bob.createMessagesRequest(roomId, from ?? "s0", 9, sdk.Direction.Forward);
    for (const e of res.chunk) if (e.type === "m.room.message" && e.content.body?.startsWith("n")) forwards.push(e.content.body);
    if (!res.end) break;
    from = res.end;
  }
  if (JSON.stringify(forwards) !== JSON.stringify(expected)) fail("forward pagination out of order: " + forwards.join(","));
  ok("pagination");

  alice.stopClient();
  bob.stopClient();
  console.log("ALL OK");
  process.exit(0);
} catch (e) {
  fail(e?.stack ?? String(e));
}
