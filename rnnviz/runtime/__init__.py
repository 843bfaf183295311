"""The runtime: everything that trains a model and keeps what it learnt, for every page and the CLI.

From the bottom up (each module imports only those above it in this list):

    training     Trainer: one model, its optimiser and data stream; steps, history, snapshots
    runs         build a run (model + trainer) from Settings; tiny runs for the inspection pages
    checkpoints  save and load a run with everything needed to go on exactly
    jobs         an application's training as stages of Trainers: single flight, progress, pause
    trainproc    the trainer process: a child of the server that trains turns outside its GIL
    session      a browser's TrainingSession, the shared run cache and the Worker that gives
                 every session, race and job fair turns

Pages only read and redraw; all training goes through :data:`session.WORKER`.
"""
