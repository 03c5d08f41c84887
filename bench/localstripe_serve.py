"""Runs an unmodified localstripe server for the benchmark, with three launch-time
differences from its own `localstripe` command, none of which touches its request path:
  * the store file is $LOCALSTRIPE_STORE instead of the fixed /tmp/localstripe.pickle, so
    the bench keeps its state under bench/work/ and never clobbers a user's localstripe;
  * it listens on 127.0.0.1 only (localstripe binds '::', every interface);
  * the per-request access log is off (workerd under Miniflare logs nothing either);
  * loading the store does not re-pickle it for every unpickled item (unpickling a dict
    subclass goes through Store.__setitem__, which in localstripe rewrites the very file
    being read, so its own loader truncates any store bigger than one pickle frame).
Each write still pickles the whole store to disk, exactly as localstripe does."""
import os
import pickle
import socket
import sys

from aiohttp import web
from localstripe import resources, server

STORE = os.environ['LOCALSTRIPE_STORE']


loading = False


def try_load_from_disk(self):
    global loading
    try:
        with open(STORE, 'rb') as f:
            loading = True
            old = pickle.load(f)
            self.clear()
            self.update(old)
    except FileNotFoundError:
        pass
    finally:
        loading = False


def dump_to_disk(self):
    if loading:
        return
    with open(STORE, 'wb') as f:
        pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)


resources.Store.try_load_from_disk = try_load_from_disk
resources.Store.dump_to_disk = dump_to_disk


def main():
    port = int(sys.argv[1])
    resources.store.try_load_from_disk()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', port))
    web.run_app(server.app, sock=sock, access_log=None, print=None)


if __name__ == '__main__':
    main()
